import type { MessageInitShape } from '@bufbuild/protobuf';
import { actingAdmin, type CallContext, type ServiceHandlers, type UserCaller } from '@parley/grpc';
import { apiV1Admin, authV1 } from '@parley/proto';
import type { DownstreamClients } from '../downstream/downstream-clients';
import type { ModelCatalogClients } from '../presets/model-catalog-clients';
import {
  dayFilter,
  groupChanges,
  groupMaskPaths,
  groupResource,
  GROUP_MASK_PATHS,
  internalRole,
  limitInput,
  limitResource,
  userResource,
} from './admin-resources';
import { collectPage } from './page-token';
import { invalidArgument, limitText, requireText } from './request-checks';

type AdminMethods = typeof apiV1Admin.AdminService extends { method: infer M } ? M : never;

const ID_MAX = 64;
/** Usage rows are fetched from the usage service in pages of this size (it allows up to 500). */
const USAGE_PAGE = 200;

/**
 * Admins only, checked here for a clear refusal before anything is sent; the auth and usage services
 * check again on their data, as they do for REST.
 */
function adminOf(call: CallContext): UserCaller {
  return actingAdmin(call.caller, 'admin');
}

/** parley.api.v1.AdminService over the auth service (users, groups) and the model gateway's usage. */
export function adminHandlers(
  downstream: DownstreamClients,
  catalog: Pick<ModelCatalogClients, 'usage'>,
): ServiceHandlers<AdminMethods> {
  const auth = downstream.auth;
  const usage = catalog.usage;
  return {
    async listUsers(request, call) {
      const caller = adminOf(call);
      const query = limitText('query', request.query, 200);
      const role = request.role === apiV1Admin.UserRole.UNSPECIFIED ? undefined : internalRole(request.role);
      if (request.role !== apiV1Admin.UserRole.UNSPECIFIED && role === undefined)
        throw invalidArgument('role', 'must be USER_ROLE_PENDING, USER_ROLE_USER or USER_ROLE_ADMIN');
      let totalSize = 0;
      const page = await collectPage(request, `users:${query}:${request.role}`, async (p) => {
        const reply = await auth.listUsers(
          { query, page: p, role: role ?? authV1.Role.UNSPECIFIED },
          { caller },
        );
        totalSize = reply.total;
        return { chats: reply.users, pageSize: reply.pageSize };
      });
      return { users: page.items.map(userResource), nextPageToken: page.nextPageToken, totalSize };
    },

    async setUserRole(request, call) {
      const caller = adminOf(call);
      const id = requireText('user_id', request.userId, ID_MAX);
      const role = internalRole(request.role);
      if (role === undefined)
        throw invalidArgument('role', 'is required (USER_ROLE_PENDING, USER_ROLE_USER or USER_ROLE_ADMIN)');
      // The auth service refuses the caller's own role and the last admin, and ends the user's sessions.
      const { user } = await auth.updateUser({ id, role }, { caller });
      return { user: userResource(user) };
    },

    async approveUser(request, call) {
      const caller = adminOf(call);
      const id = requireText('user_id', request.userId, ID_MAX);
      const { user } = await auth.getUser({ id }, { caller });
      if (user?.role !== authV1.Role.PENDING) return { user: userResource(user) };
      const approved = await auth.updateUser({ id, role: authV1.Role.USER }, { caller });
      return { user: userResource(approved.user) };
    },

    async listGroups(request, call) {
      const caller = adminOf(call);
      // The auth service answers every group at once: one internal "page" holding them all (one more than
      // it has, so it reads as the last), from which the public pages are cut.
      const page = await collectPage(request, 'groups', async () => {
        const { groups } = await auth.listGroups({}, { caller });
        return { chats: groups, pageSize: groups.length + 1 };
      });
      return { groups: page.items.map(groupResource), nextPageToken: page.nextPageToken };
    },

    async createGroup(request, call) {
      const caller = adminOf(call);
      if (!request.group) throw invalidArgument('group', 'is required');
      const changes = groupChanges(request.group, GROUP_MASK_PATHS);
      const { group } = await auth.createGroup(
        {
          name: changes.name ?? '',
          description: changes.description ?? '',
          permissions: changes.permissions,
          userIds: changes.userIds,
        },
        { caller },
      );
      return { group: groupResource(group) };
    },

    async updateGroup(request, call) {
      const caller = adminOf(call);
      if (!request.group) throw invalidArgument('group', 'is required');
      const id = requireText('group.id', request.group.id, ID_MAX);
      const paths = groupMaskPaths(request.updateMask?.paths ?? []);
      const { group } = await auth.updateGroup({ id, ...groupChanges(request.group, paths) }, { caller });
      return { group: groupResource(group) };
    },

    async deleteGroup(request, call) {
      const caller = adminOf(call);
      await auth.deleteGroup({ id: requireText('id', request.id, ID_MAX) }, { caller });
      return {};
    },

    async getUsage(request, call) {
      const caller = adminOf(call);
      const filters = {
        userId: limitText('user_id', request.userId, ID_MAX),
        modelId: limitText('model', request.model, 500),
        fromDay: dayFilter('start_day', request.startDay),
        toDay: dayFilter('end_day', request.endDay),
      };
      if (filters.fromDay && filters.toDay && filters.fromDay > filters.toDay)
        throw invalidArgument('start_day', 'must not be after end_day');
      let totals: MessageInitShape<typeof apiV1Admin.TokenUsageSchema> | undefined;
      let totalSize = 0;
      const scope = `usage:${JSON.stringify(filters)}`;
      const page = await collectPage(request, scope, async (p) => {
        const reply = await usage.listUsage({ ...filters, page: p, pageSize: USAGE_PAGE }, { caller });
        totalSize = reply.total;
        totals = tokenUsage(reply.promptTokens, reply.completionTokens, reply.requests);
        return { chats: reply.rows, pageSize: USAGE_PAGE };
      });
      return {
        rows: page.items.map((row) => ({
          userId: row.userId,
          model: row.modelId,
          day: row.day,
          usage: tokenUsage(row.promptTokens, row.completionTokens, BigInt(row.requests)),
          estimatedRequests: BigInt(row.estimatedRequests),
        })),
        nextPageToken: page.nextPageToken,
        totalSize,
        totals,
      };
    },

    async getUsageLimits(_request, call) {
      const reply = await usage.getUsageLimits({}, { caller: adminOf(call) });
      return {
        defaultRequestsPerMinute: reply.defaultRequestsPerMinute,
        defaultTokensPerDay: reply.defaultTokensPerDay,
        limits: reply.limits.map(limitResource),
      };
    },

    async setUsageLimit(request, call) {
      const caller = adminOf(call);
      const reply = await usage.setUsageLimit(limitInput(request.limit), { caller });
      return { limit: reply.limit ? limitResource(reply.limit) : undefined };
    },
  };
}

function tokenUsage(
  promptTokens: bigint,
  completionTokens: bigint,
  requests: bigint,
): MessageInitShape<typeof apiV1Admin.TokenUsageSchema> {
  return {
    promptTokens,
    completionTokens,
    totalTokens: promptTokens + completionTokens,
    requests,
  };
}

/** The admin actions that write audit lines, with their resource ids (REST's path parameters). */
export const adminAuditParams = {
  setUserRole: (r: apiV1Admin.SetUserRoleRequest) => ({ id: r.userId }),
  approveUser: (r: apiV1Admin.ApproveUserRequest) => ({ id: r.userId }),
  createGroup: () => ({}),
  updateGroup: (r: apiV1Admin.UpdateGroupRequest) => ({ id: r.group?.id ?? '' }),
  deleteGroup: (r: apiV1Admin.DeleteGroupRequest) => ({ id: r.id }),
  setUsageLimit: (r: apiV1Admin.SetUsageLimitRequest) => ({
    kind: r.limit?.subject === apiV1Admin.LimitSubject.GROUP ? 'groups' : 'users',
    id: r.limit?.subjectId ?? '',
  }),
};
