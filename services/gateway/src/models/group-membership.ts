import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AuthenticatedRequest, RevocationList } from '@parley/auth-guard';
import { LOGGER, Logger } from '@parley/logging';
import { DownstreamClients } from '../downstream/downstream-clients';

const CACHE_MS = 10_000;

/**
 * Which groups each user belongs to, for preset access control and group quotas in the model gateway
 * (group membership is not in the access token). One ListGroups answer serves every user for a few
 * seconds; a group change empties it on every copy at once through the revocation channel, as the
 * permissions cache does. With the auth service down the last answer is used (or no groups: less access,
 * never more).
 */
@Injectable()
export class GroupMembership {
  private snapshot?: { at: number; byUser: Map<string, string[]> };
  private loading?: Promise<Map<string, string[]>>;
  private generation = 0;

  constructor(
    @Inject(DownstreamClients) private readonly downstream: DownstreamClients,
    @Inject(RevocationList) revocations: RevocationList,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    revocations.onMessage((message) => {
      if (message.kind !== 'permissions') return;
      this.generation++;
      this.snapshot = undefined;
    });
  }

  async of(userId: string): Promise<string[]> {
    if (this.snapshot && Date.now() - this.snapshot.at < CACHE_MS)
      return this.snapshot.byUser.get(userId) ?? [];
    try {
      return (await this.load()).get(userId) ?? [];
    } catch (error) {
      this.logger.warn({ err: error }, 'could not list groups; using the last known memberships');
      return this.snapshot?.byUser.get(userId) ?? [];
    }
  }

  private load(): Promise<Map<string, string[]>> {
    if (!this.loading) {
      const generation = this.generation;
      this.loading = this.downstream.auth
        .listGroups({})
        .then(({ groups }) => {
          const byUser = new Map<string, string[]>();
          for (const group of groups)
            for (const userId of group.userIds) byUser.set(userId, [...(byUser.get(userId) ?? []), group.id]);
          // A change announced while this answer was on its way may not be in it: use it once, keep it not.
          if (generation === this.generation) this.snapshot = { at: Date.now(), byUser };
          return byUser;
        })
        .finally(() => (this.loading = undefined));
    }
    return this.loading;
  }
}

const GROUP_IDS = Symbol('parley:groupIds');
type WithGroups = AuthenticatedRequest & { [GROUP_IDS]?: string[] };

/** The routes whose model-gateway calls need the caller's groups. */
const NEEDS_GROUPS = /^\/(api\/(v1\/)?(models|chat|tasks|usage)|openai|ollama)(\/|$)/;

/** The groups the guard found for this request (empty for admins, who need none). */
export function groupIdsOf(req: AuthenticatedRequest): string[] {
  return (req as WithGroups)[GROUP_IDS] ?? [];
}

/** Runs after the AuthGuard: puts the signed-in user's group ids on model requests, for callerOf(). */
@Injectable()
export class CallerGroupsGuard implements CanActivate {
  constructor(@Inject(GroupMembership) private readonly membership: GroupMembership) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<WithGroups>();
    if (req.user && req.user.role !== 'admin' && NEEDS_GROUPS.test(req.path))
      req[GROUP_IDS] = await this.membership.of(req.user.id);
    return true;
  }
}
