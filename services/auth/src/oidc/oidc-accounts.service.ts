import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainError, ErrorKind } from '@parley/errors';
import { AUTH_CONFIG, AuthConfig } from '../auth.config';
import { PrismaService } from '../database/prisma.service';
import { InstanceSettingsService } from '../instance-settings/instance-settings.service';
import { AuthRedis } from '../redis/auth-redis';
import { IssuedToken, TokenIssuer } from '../tokens/token-issuer';
import { normaliseEmail } from '../users/user-rules';
import { UserRecord, UsersRepository } from '../users/users.repository';

export interface OidcIdentity {
  issuer: string;
  subject: string;
  claims: Record<string, unknown>;
}

const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** Reads a claim by a dotted path, e.g. "realm_access.roles". */
function claim(claims: Record<string, unknown>, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (value, part) =>
        value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined,
      claims,
    );
}

function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value === 'string') return list(value);
  return [];
}

/**
 * Turns a verified OpenID Connect identity into a Parley account, Open WebUI's rules: an account is
 * found by its linked identity, or (with OAUTH_MERGE_ACCOUNTS_BY_EMAIL) by email; otherwise created
 * when ENABLE_OAUTH_SIGNUP allows. Roles and groups follow the claims when their management is on.
 */
@Injectable()
export class OidcAccountsService {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(TokenIssuer) private readonly tokens: TokenIssuer,
    @Inject(AuthRedis) private readonly redis: AuthRedis,
    @Inject(InstanceSettingsService) private readonly settings: InstanceSettingsService,
  ) {}

  async signIn(identity: OidcIdentity): Promise<{ user: UserRecord; accessToken: IssuedToken }> {
    const oauthSub = `${identity.issuer}@${identity.subject}`.slice(0, 500);
    const rawEmail = claim(identity.claims, this.config.OAUTH_EMAIL_CLAIM);
    if (typeof rawEmail !== 'string' || !rawEmail) {
      throw new DomainError(
        ErrorKind.FailedPrecondition,
        `The identity provider sent no email address (claim "${this.config.OAUTH_EMAIL_CLAIM}").`,
      );
    }
    const email = normaliseEmail(rawEmail);
    const nameClaim = claim(identity.claims, this.config.OAUTH_USERNAME_CLAIM);
    const name = (typeof nameClaim === 'string' && nameClaim.trim()) || email;
    const role = this.roleFromClaims(identity.claims);

    let user = await this.prisma.user.findUnique({ where: { oauthSub } });
    if (!user) {
      const byEmail = await this.users.findByEmail(email);
      if (byEmail) {
        if (!this.config.OAUTH_MERGE_ACCOUNTS_BY_EMAIL) {
          throw new DomainError(
            ErrorKind.AlreadyExists,
            'An account with this email exists already; sign in with your password.',
          );
        }
        user = await this.prisma.user.update({ where: { id: byEmail.id }, data: { oauthSub } });
      } else {
        if (!this.config.ENABLE_OAUTH_SIGNUP) {
          throw new DomainError(
            ErrorKind.PermissionDenied,
            'You have no account here and sign-up through SSO is off; ask an administrator.',
          );
        }
        const defaultRole = (await this.settings.effective()).DEFAULT_USER_ROLE;
        const created = await this.users.createUser(
          { id: randomUUID(), email, name: name.slice(0, 255), passwordHash: null },
          (isFirstUser) => (isFirstUser ? 'admin' : (role ?? defaultRole)),
        );
        if (!created)
          throw new DomainError(ErrorKind.AlreadyExists, 'An account with this email exists already.');
        user = await this.prisma.user.update({ where: { id: created.id }, data: { oauthSub } });
      }
    }
    if (role && user.role !== role) {
      user = await this.prisma.user.update({ where: { id: user.id }, data: { role } });
      await this.redis.revocations.revokeUserTokens(user.id);
    }
    if (this.config.ENABLE_OAUTH_GROUP_MANAGEMENT)
      await this.syncGroups(user.id, stringList(claim(identity.claims, this.config.OAUTH_GROUPS_CLAIM)));
    return { user, accessToken: await this.tokens.issue(user) };
  }

  /** With role management on: admin roles make an admin, allowed roles a user, anything else is refused. */
  private roleFromClaims(claims: Record<string, unknown>): 'admin' | 'user' | undefined {
    if (!this.config.ENABLE_OAUTH_ROLE_MANAGEMENT) return undefined;
    const roles = stringList(claim(claims, this.config.OAUTH_ROLES_CLAIM));
    if (roles.some((role) => list(this.config.OAUTH_ADMIN_ROLES).includes(role))) return 'admin';
    if (roles.some((role) => list(this.config.OAUTH_ALLOWED_ROLES).includes(role))) return 'user';
    throw new DomainError(
      ErrorKind.PermissionDenied,
      'Your identity provider account has no role that is allowed to use this server.',
    );
  }

  /** Membership follows the claim exactly; missing groups are created when ENABLE_OAUTH_GROUP_CREATION is on. */
  private async syncGroups(userId: string, names: string[]): Promise<void> {
    const wanted = [...new Set(names.map((n) => n.trim()).filter((n) => n && n.length <= 100))].slice(0, 200);
    await this.prisma.$transaction(async (tx) => {
      if (this.config.ENABLE_OAUTH_GROUP_CREATION) {
        for (const groupName of wanted) {
          await tx.group.upsert({
            where: { name: groupName },
            create: { id: randomUUID(), name: groupName },
            update: {},
          });
        }
      }
      const groups = await tx.group.findMany({ where: { name: { in: wanted } }, select: { id: true } });
      await tx.groupMember.deleteMany({ where: { userId } });
      await tx.groupMember.createMany({ data: groups.map((g) => ({ groupId: g.id, userId })) });
    });
    await this.redis.revocations.permissionsChanged(userId);
  }
}
