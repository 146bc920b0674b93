import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { Metadata } from '@grpc/grpc-js';
import { DomainError, ErrorKind } from '@parley/errors';
import type { CallContext, UserCaller } from '@parley/grpc';
import { apiV1Admin, authV1, usageV1 } from '@parley/proto';
import type { AuditLog } from '../audit/audit-log';
import type { DownstreamClients } from '../downstream/downstream-clients';
import { adminAuditParams, adminHandlers } from './admin.handlers';
import { withAuditLines } from './grpc-audit';

const { AdminService, UserRole, LimitSubject } = apiV1Admin;
const ADMIN_ID = '00000000-0000-4000-8000-000000000001';

function callAs(role: UserCaller['role'], peer = 'ipv4:127.0.0.9:4100'): CallContext {
  return {
    signal: new AbortController().signal,
    metadata: new Metadata(),
    caller: { kind: 'user', userId: ADMIN_ID, role, groupIds: [], permissions: new Set() },
    peer,
  };
}

function user(i: number, role = authV1.Role.USER) {
  return create(authV1.UserSchema, { id: `u${i}`, email: `u${i}@example.com`, name: `U${i}`, role });
}

/** The auth service's users, 3 to a page as USERS_PAGE_SIZE would make them, and its groups. */
function fakeAuth() {
  const users = Array.from({ length: 7 }, (_, i) =>
    user(i, i === 6 ? authV1.Role.PENDING : authV1.Role.USER),
  );
  const calls: Record<string, unknown[]> = {};
  const record = (name: string, request: unknown) => (calls[name] ??= []).push(request);
  const auth = {
    listUsers: jest.fn(async (request: { page: number; role: authV1.Role }) => {
      record('listUsers', request);
      const matching = users.filter((u) => !request.role || u.role === request.role);
      return {
        users: matching.slice((request.page - 1) * 3, request.page * 3),
        total: matching.length,
        pageSize: 3,
      };
    }),
    getUser: jest.fn(async ({ id }: { id: string }) => ({ user: users.find((u) => u.id === id) })),
    updateUser: jest.fn(async (request: { id: string; role: authV1.Role }) => {
      record('updateUser', request);
      const { id, email, name } = users.find((u) => u.id === request.id)!;
      return { user: create(authV1.UserSchema, { id, email, name, role: request.role }) };
    }),
    listGroups: jest.fn(async () => ({
      groups: ['a', 'b', 'c'].map((id) => create(authV1.GroupSchema, { id, name: id.toUpperCase() })),
    })),
    updateGroup: jest.fn(async (request: MessageInitShape<typeof authV1.UpdateGroupRequestSchema>) => {
      record('updateGroup', request);
      return { group: create(authV1.GroupSchema, { id: request.id, name: request.name ?? 'kept' }) };
    }),
  };
  return { auth, calls };
}

function fakeUsage() {
  return {
    listUsage: jest.fn(async () =>
      create(usageV1.ListUsageResponseSchema, {
        rows: [
          {
            userId: 'u1',
            modelId: 'm',
            day: '2026-12-01',
            promptTokens: 5n,
            completionTokens: 7n,
            requests: 2,
          },
        ],
        total: 1,
        promptTokens: 5n,
        completionTokens: 7n,
        requests: 2n,
      }),
    ),
    setUsageLimit: jest.fn(async (request: unknown) => ({ request, limit: undefined })),
  };
}

function sutWith() {
  const { auth, calls } = fakeAuth();
  const usage = fakeUsage();
  const sut = adminHandlers({ auth } as unknown as DownstreamClients, { usage } as never);
  return { sut, auth, usage, calls };
}

async function failure(call: Promise<unknown>): Promise<DomainError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

const request = <K extends keyof typeof AdminService.method>(
  method: K,
  fields: MessageInitShape<(typeof AdminService.method)[K]['input']>,
) => create(AdminService.method[method].input as never, fields as never) as never;

describe('AdminService handlers', () => {
  it('refuses every method to a caller who is not an admin, before calling any service', async () => {
    const { sut, auth, usage } = sutWith();
    for (const role of ['user', 'pending'] as const) {
      const denied = await failure(sut.listUsers(request('listUsers', {}), callAs(role)));
      expect(denied.kind).toBe(ErrorKind.PermissionDenied);
      expect((await failure(sut.setUsageLimit(request('setUsageLimit', {}), callAs(role)))).kind).toBe(
        ErrorKind.PermissionDenied,
      );
    }
    expect(auth.listUsers).not.toHaveBeenCalled();
    expect(usage.setUsageLimit).not.toHaveBeenCalled();
  });

  it("pages users by the asked size over the auth service's own pages, with a total", async () => {
    const { sut } = sutWith();
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await sut.listUsers(request('listUsers', { pageSize: 4, pageToken }), callAs('admin'));
      expect(page.totalSize).toBe(7);
      seen.push(...(page.users ?? []).map((u) => u.id ?? ''));
      pageToken = page.nextPageToken ?? '';
    } while (pageToken);
    expect(seen).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
    const pending = await sut.listUsers(request('listUsers', { role: UserRole.PENDING }), callAs('admin'));
    expect(pending.users?.map((u) => [u.id, u.role, u.name])).toEqual([['u6', UserRole.PENDING, 'users/u6']]);
  });

  it('refuses a page token of another query', async () => {
    const { sut } = sutWith();
    const first = await sut.listUsers(request('listUsers', { pageSize: 2 }), callAs('admin'));
    const refused = await failure(
      sut.listUsers(
        request('listUsers', { pageSize: 2, query: 'x', pageToken: first.nextPageToken }),
        callAs('admin'),
      ),
    );
    expect(refused.message).toMatch(/^page_token: /);
  });

  it('approves only a pending user and leaves an admitted one as they are', async () => {
    const { sut, calls } = sutWith();
    const approved = await sut.approveUser(request('approveUser', { userId: 'u6' }), callAs('admin'));
    expect(approved.user?.role).toBe(UserRole.USER);
    const again = await sut.approveUser(request('approveUser', { userId: 'u1' }), callAs('admin'));
    expect(again.user?.role).toBe(UserRole.USER);
    expect(calls.updateUser).toEqual([expect.objectContaining({ id: 'u6', role: authV1.Role.USER })]);
  });

  it('names the public field of refused input', async () => {
    const { sut } = sutWith();
    const admin = callAs('admin');
    const problems = await Promise.all([
      failure(sut.setUserRole(request('setUserRole', { userId: 'u1' }), admin)),
      failure(sut.setUserRole(request('setUserRole', { role: UserRole.ADMIN }), admin)),
      failure(sut.updateGroup(request('updateGroup', { group: { id: 'g' } }), admin)),
      failure(
        sut.updateGroup(
          request('updateGroup', { group: { id: 'g' }, updateMask: { paths: ['create_time'] } }),
          admin,
        ),
      ),
      failure(sut.createGroup(request('createGroup', { group: { displayName: 'x'.repeat(101) } }), admin)),
      failure(sut.createGroup(request('createGroup', { group: { description: 'no name' } }), admin)),
      failure(sut.getUsage(request('getUsage', { startDay: '2026-13-01' }), admin)),
      failure(sut.setUsageLimit(request('setUsageLimit', { limit: { subjectId: 'u1' } }), admin)),
      failure(
        sut.setUsageLimit(
          request('setUsageLimit', {
            limit: { subject: LimitSubject.USER, subjectId: 'u1', requestsPerMinute: -1 },
          }),
          admin,
        ),
      ),
    ]);
    expect(problems.map((p) => [p.kind, p.message.split(':')[0]])).toEqual(
      [
        'role',
        'user_id',
        'update_mask',
        'update_mask',
        'group.display_name',
        'group.display_name',
        'start_day',
        'limit.subject',
        'limit.requests_per_minute',
      ].map((field) => [ErrorKind.InvalidArgument, field]),
    );
  });

  it('changes only the group fields in the mask', async () => {
    const { sut, calls } = sutWith();
    await sut.updateGroup(
      request('updateGroup', {
        group: { id: 'g1', displayName: 'Ignored', memberIds: ['u1', 'u2'] },
        updateMask: { paths: ['member_ids'] },
      }),
      callAs('admin'),
    );
    expect(calls.updateGroup).toEqual([
      expect.objectContaining({
        id: 'g1',
        name: undefined,
        setPermissions: false,
        setUserIds: true,
        userIds: ['u1', 'u2'],
      }),
    ]);
  });

  it('pages every group from the one list the auth service answers', async () => {
    const { sut } = sutWith();
    const first = await sut.listGroups(request('listGroups', { pageSize: 2 }), callAs('admin'));
    expect(first.groups?.map((g) => g.displayName)).toEqual(['A', 'B']);
    const rest = await sut.listGroups(
      request('listGroups', { pageSize: 2, pageToken: first.nextPageToken }),
      callAs('admin'),
    );
    expect(rest.groups?.map((g) => g.name)).toEqual(['groups/c']);
    expect(rest.nextPageToken).toBe('');
  });

  it('reports usage rows with their total tokens and the sums over every match', async () => {
    const { sut } = sutWith();
    const reply = await sut.getUsage(request('getUsage', { userId: 'u1' }), callAs('admin'));
    expect(reply.rows?.[0]).toMatchObject({
      model: 'm',
      usage: { promptTokens: 5n, completionTokens: 7n, totalTokens: 12n, requests: 2n },
    });
    expect(reply.totals).toMatchObject({ totalTokens: 12n, requests: 2n });
    expect(reply.totalSize).toBe(1);
  });

  it("writes an audit line per admin action, refusals too, in the REST line's shape", async () => {
    const { sut } = sutWith();
    const lines: Array<Record<string, unknown>> = [];
    const audit = {
      enabled: true,
      withBodies: true,
      level: 'REQUEST',
      maxBodySize: 2048,
      write: (line: Record<string, unknown>) => lines.push(line),
    } as unknown as AuditLog;
    const audited = withAuditLines(AdminService, sut, audit, adminAuditParams);
    await audited.setUserRole(
      request('setUserRole', { userId: 'u1', role: UserRole.ADMIN }),
      callAs('admin'),
    );
    await failure(audited.deleteGroup(request('deleteGroup', { id: 'g1' }), callAs('user', '[::1]:5000')));
    await audited.listUsers(request('listUsers', {}), callAs('admin'));
    expect(lines).toEqual([
      expect.objectContaining({
        audit: true,
        event: 'request',
        method: 'GRPC',
        route: '/parley.api.v1.AdminService/SetUserRole',
        params: { id: 'u1' },
        user: { id: ADMIN_ID, role: 'admin' },
        source_ip: '127.0.0.9',
        status: 'OK',
        outcome: 'success',
        request_body: JSON.stringify({ userId: 'u1', role: 'USER_ROLE_ADMIN' }),
      }),
      expect.objectContaining({
        route: '/parley.api.v1.AdminService/DeleteGroup',
        params: { id: 'g1' },
        source_ip: '::1',
        status: 'PERMISSION_DENIED',
        outcome: 'failure',
      }),
    ]);
  });
});
