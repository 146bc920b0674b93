import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainError, ErrorKind } from '@parley/errors';
import { EVENT_VERSION, EVENTS, NatsClient } from '@parley/nats';
import { AUTH_CONFIG, AuthConfig } from '../auth.config';
import type { Prisma } from '../generated/prisma/client';
import { InstanceSettingsService } from '../instance-settings/instance-settings.service';
import { AuthRedis } from '../redis/auth-redis';
import { IssuedToken, TokenIssuer } from '../tokens/token-issuer';
import { PasswordHasher } from './password-hasher';
import {
  checkPassword,
  checkProfileImageUrl,
  invalid,
  MAX_EMAIL_LENGTH,
  MAX_PASSWORD_LENGTH,
  normaliseEmail,
  normaliseName,
  RoleName,
  ROLES,
  UUID,
} from './user-rules';
import { parseUserSettings, storedSettings, type UserSettings } from './user-settings';
import { UserRecord, UsersRepository } from './users.repository';

export interface SignedInUser {
  user: UserRecord;
  accessToken: IssuedToken;
}

const notFound = () => new DomainError(ErrorKind.NotFound, 'No such user.');
/** last_active_at is kept to the minute: the gateway asks for a caller's profile every few seconds. */
const ACTIVITY_RESOLUTION_SECONDS = 60;

/** The one account of single-user mode: Open WebUI's address, so an install moved over keeps its user. */
export const SINGLE_USER_EMAIL = 'admin@localhost';

const singleUserOnly = () =>
  new DomainError(
    ErrorKind.FailedPrecondition,
    'WEBUI_AUTH=False is single-user mode, and this installation has other accounts: signing in without a ' +
      'password would let anyone act as them. Set WEBUI_AUTH=True (or remove it) and sign in with an account.',
    { code: 'SINGLE_USER_MODE' },
  );

@Injectable()
export class UsersService {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @Inject(TokenIssuer) private readonly tokens: TokenIssuer,
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(AuthRedis) private readonly redis: AuthRedis,
    @Inject(InstanceSettingsService) private readonly settings: InstanceSettingsService,
  ) {}

  async signUp(input: { name: string; email: string; password: string }): Promise<SignedInUser> {
    if (!this.config.WEBUI_AUTH) throw singleUserOnly();
    const settings = await this.settings.effective();
    const user = await this.createLocalUser(
      input,
      (isFirstUser) => {
        if (isFirstUser) return 'admin';
        if (!settings.ENABLE_SIGNUP) {
          throw new DomainError(
            ErrorKind.PermissionDenied,
            'Sign-up is disabled on this server; ask an administrator for an account.',
          );
        }
        return settings.DEFAULT_USER_ROLE;
      },
      'This email is already registered; sign in instead.',
    );
    return { user, accessToken: await this.tokens.issue(user) };
  }

  /** Validates, hashes the password, creates the account and announces it: sign-up and admin add alike. */
  private async createLocalUser(
    input: { name: string; email: string; password: string },
    decideRole: (isFirstUser: boolean) => string,
    alreadyExists: string,
  ): Promise<UserRecord> {
    const name = normaliseName(input.name);
    const email = normaliseEmail(input.email);
    checkPassword(input.password, this.config.PASSWORD_MIN_LENGTH);
    const passwordHash = await this.hasher.hash(input.password);
    const user = await this.users.createUser(
      { id: randomUUID(), email, name, passwordHash },
      this.onlyAccountInSingleUserMode(decideRole),
    );
    if (!user) throw new DomainError(ErrorKind.AlreadyExists, alreadyExists);
    this.announce(EVENTS.userCreated, user);
    return user;
  }

  async signIn(input: { email: string; password: string }): Promise<SignedInUser> {
    const email = input.email.trim().toLowerCase();
    const wrong = new DomainError(ErrorKind.Unauthenticated, 'The email or password is incorrect.', {
      code: 'INVALID_CREDENTIALS',
    });
    if (
      !email ||
      !input.password ||
      email.length > MAX_EMAIL_LENGTH ||
      input.password.length > MAX_PASSWORD_LENGTH
    ) {
      await this.hasher.verifyDecoy(input.password.slice(0, MAX_PASSWORD_LENGTH));
      throw wrong;
    }
    const user = await this.users.findByEmail(email);
    const valid = user?.passwordHash
      ? await this.hasher.verify(user.passwordHash, input.password)
      : await this.hasher.verifyDecoy(input.password);
    if (!user || !valid) throw wrong;
    return { user, accessToken: await this.tokens.issue(user) };
  }

  /**
   * Signs in a person the directory (LDAP) vouched for, by the directory's email address: an existing
   * account with that email is used; otherwise one is created with the default role (admin for the
   * install's first account), without a local password.
   */
  async signInWithDirectoryIdentity(identity: { email: string; name: string }): Promise<SignedInUser> {
    const email = normaliseEmail(identity.email);
    const existing = await this.users.findByEmail(email);
    const defaultRole = existing ? 'pending' : (await this.settings.effective()).DEFAULT_USER_ROLE;
    const user =
      existing ??
      (await this.users.createUser(
        {
          id: randomUUID(),
          email,
          name: normaliseName(identity.name.slice(0, 255) || email),
          passwordHash: null,
        },
        this.onlyAccountInSingleUserMode((isFirstUser) => (isFirstUser ? 'admin' : defaultRole)),
      )) ??
      (await this.users.findByEmail(email));
    if (!user) throw new DomainError(ErrorKind.Internal, 'The account could not be created.');
    if (!existing) this.announce(EVENTS.userCreated, user);
    return { user, accessToken: await this.tokens.issue(user) };
  }

  /** Trusted-header mode: the proxy in front vouched for this email. */
  async signInWithTrustedHeader(email: string, name: string): Promise<SignedInUser> {
    if (!this.config.WEBUI_AUTH_TRUSTED_EMAIL_HEADER) {
      throw new DomainError(
        ErrorKind.PermissionDenied,
        'Trusted-header sign-in is not enabled on this server.',
      );
    }
    return this.signInWithDirectoryIdentity({ email, name: name || email });
  }

  /**
   * Single-user mode (WEBUI_AUTH=false): the installation's one account, made an admin on a fresh
   * install. It has no password (Open WebUI's well-known one would outlive the mode), so turning sign-in
   * on later means an admin gives it one, or it signs in through SSO.
   */
  async signInSingleUser(): Promise<SignedInUser> {
    if (this.config.WEBUI_AUTH) {
      throw new DomainError(
        ErrorKind.FailedPrecondition,
        'Sign-in without a password is for single-user mode (WEBUI_AUTH=False) only; sign in with an account.',
      );
    }
    const existing = await this.users.findByEmail(SINGLE_USER_EMAIL);
    if (existing) {
      if ((await this.users.count()) > 1) throw singleUserOnly();
      return { user: existing, accessToken: await this.tokens.issue(existing) };
    }
    const user = await this.users.createUser(
      { id: randomUUID(), email: SINGLE_USER_EMAIL, name: 'User', passwordHash: null },
      (isFirstUser) => {
        if (!isFirstUser) throw singleUserOnly();
        return 'admin';
      },
    );
    // Another copy made it at the same moment: sign in as that one.
    const account = user ?? (await this.users.findByEmail(SINGLE_USER_EMAIL));
    if (!account) throw new DomainError(ErrorKind.Internal, 'The account could not be created.');
    if (user) this.announce(EVENTS.userCreated, user);
    return { user: account, accessToken: await this.tokens.issue(account) };
  }

  /** In single-user mode no second account is made, whichever way it would come (admin, SSO, LDAP). */
  private onlyAccountInSingleUserMode(decideRole: (isFirstUser: boolean) => string) {
    return (isFirstUser: boolean) => {
      if (!this.config.WEBUI_AUTH && !isFirstUser) throw singleUserOnly();
      return decideRole(isFirstUser);
    };
  }

  async isFirstUser(): Promise<boolean> {
    return this.users.isEmpty();
  }

  async revokeToken(tokenId: string, expiresAt: number): Promise<void> {
    if (!tokenId || tokenId.length > 100) throw invalid('token_id is required.');
    await this.redis.revocations.revokeToken(tokenId, expiresAt);
  }

  async getUser(id: string): Promise<UserRecord> {
    const user = UUID.test(id) ? await this.users.findById(id) : null;
    if (!user) throw notFound();
    return user;
  }

  async updatePassword(actorId: string, currentPassword: string, newPassword: string): Promise<IssuedToken> {
    const user = await this.getUser(actorId);
    const valid = user.passwordHash
      ? await this.hasher.verify(user.passwordHash, currentPassword.slice(0, MAX_PASSWORD_LENGTH))
      : false;
    if (!valid) throw new DomainError(ErrorKind.PermissionDenied, 'The current password is incorrect.');
    checkPassword(newPassword, this.config.PASSWORD_MIN_LENGTH);
    const passwordHash = await this.hasher.hash(newPassword);
    await this.users.update(user.id, { passwordHash }, () => undefined);
    await this.redis.revocations.revokeUserTokens(user.id);
    return this.tokens.issue(user);
  }

  async updateProfile(actorId: string, name: string, profileImageUrl: string): Promise<UserRecord> {
    const data = {
      name: normaliseName(name),
      ...(profileImageUrl ? { profileImageUrl: checkProfileImageUrl(profileImageUrl) } : {}),
    };
    const user = await this.users.update(
      await this.getUser(actorId).then((u) => u.id),
      data,
      () => undefined,
    );
    if (!user) throw notFound();
    return user;
  }

  /** The user's own UI settings; an empty object until they save some. */
  async getSettings(actorId: string): Promise<UserSettings> {
    return storedSettings((await this.getUser(actorId)).settings);
  }

  /** Replaces the user's settings with the given JSON object (at most 64 KiB). */
  async updateSettings(actorId: string, settingsJson: string): Promise<UserSettings> {
    const settings = parseUserSettings(settingsJson);
    const user = await this.users.update(
      await this.getUser(actorId).then((u) => u.id),
      { settings: settings as Prisma.InputJsonObject },
      () => undefined,
    );
    if (!user) throw notFound();
    return storedSettings(user.settings);
  }

  /** The user's own profile details (Open WebUI's `info`); null until they set some. */
  async getInfo(actorId: string): Promise<UserSettings | null> {
    const { info } = await this.getUser(actorId);
    return info === null ? null : storedSettings(info);
  }

  /** Open WebUI's merge: the given fields replace those of the same name; the result is at most 64 KiB. */
  async updateInfo(actorId: string, infoJson: string): Promise<UserSettings> {
    const current = await this.getUser(actorId);
    const merged = { ...storedSettings(current.info), ...parseUserSettings(infoJson, 'info') };
    const info = parseUserSettings(JSON.stringify(merged), 'info');
    const user = await this.users.update(
      current.id,
      { info: info as Prisma.InputJsonObject },
      () => undefined,
    );
    if (!user) throw notFound();
    return storedSettings(user.info);
  }

  /**
   * Whom a pending user may ask for approval (Open WebUI's admin details): ADMIN_EMAIL's account, or the
   * first admin. Off with SHOW_ADMIN_DETAILS=false.
   */
  async adminDetails(): Promise<{ name: string; email: string }> {
    if (!(await this.settings.effective()).SHOW_ADMIN_DETAILS)
      throw new DomainError(
        ErrorKind.PermissionDenied,
        'The administrator is not shown here (SHOW_ADMIN_DETAILS).',
      );
    const configured = this.config.ADMIN_EMAIL;
    if (configured) {
      const admin = await this.users.findByEmail(configured);
      return { name: admin?.name ?? '', email: configured };
    }
    const admin = await this.users.firstAdmin();
    return { name: admin?.name ?? '', email: admin?.email ?? '' };
  }

  /** Notes that the user is making requests; written at most once a minute (the gateway asks often). */
  async markActive(userId: string): Promise<void> {
    if (UUID.test(userId)) await this.users.markActive(userId, ACTIVITY_RESOLUTION_SECONDS);
  }

  /** Admin: creates an account with a chosen role (sign-up rules do not apply). */
  async addUser(input: {
    name: string;
    email: string;
    password: string;
    role: RoleName;
  }): Promise<UserRecord> {
    return this.createLocalUser(input, () => input.role, 'This email is already registered.');
  }

  /** A page of the users matching a text (name or email) and, when given, with one role. */
  async listUsers(
    query: string,
    page: number,
    role?: RoleName,
  ): Promise<{ users: UserRecord[]; total: number }> {
    if (query.length > 200) throw invalid('The search text is longer than 200 characters.');
    if (!Number.isInteger(page) || page < 1 || page > 100_000)
      throw invalid('page must be a whole number from 1.');
    return this.users.list(query.trim(), page, this.config.USERS_PAGE_SIZE, role);
  }

  /** Admin: a role or password change ends the user's sessions at once. */
  async updateUser(
    actorId: string,
    id: string,
    changes: { name?: string; email?: string; role?: RoleName; password?: string; profileImageUrl?: string },
  ): Promise<UserRecord> {
    if (!UUID.test(id)) throw notFound();
    const data: Record<string, unknown> = {};
    if (changes.name !== undefined) data.name = normaliseName(changes.name);
    if (changes.email !== undefined) {
      data.email = normaliseEmail(changes.email);
      if (await this.users.emailTakenByOther(data.email as string, id)) {
        throw new DomainError(ErrorKind.AlreadyExists, 'This email is already used by another account.');
      }
    }
    if (changes.profileImageUrl !== undefined)
      data.profileImageUrl = checkProfileImageUrl(changes.profileImageUrl);
    if (changes.role !== undefined) {
      if (!ROLES.includes(changes.role)) throw invalid('role must be admin, user or pending.');
      data.role = changes.role;
    }
    if (changes.password) {
      checkPassword(changes.password, this.config.PASSWORD_MIN_LENGTH);
      data.passwordHash = await this.hasher.hash(changes.password);
    }
    let roleChanged = false;
    const user = await this.users.update(id, data, (current, adminCount) => {
      roleChanged = changes.role !== undefined && changes.role !== current.role;
      if (roleChanged && current.role === 'admin' && adminCount <= 1) {
        throw new DomainError(
          ErrorKind.FailedPrecondition,
          'This is the last administrator; make another user an admin first.',
        );
      }
      if (roleChanged && current.id === actorId) {
        throw new DomainError(ErrorKind.FailedPrecondition, 'You cannot change your own role.');
      }
    });
    if (!user) throw notFound();
    if (roleChanged || changes.password) await this.redis.revocations.revokeUserTokens(user.id);
    this.announce(EVENTS.userUpdated, user);
    return user;
  }

  async deleteUser(actorId: string, id: string): Promise<void> {
    if (!UUID.test(id)) throw notFound();
    const deleted = await this.users.delete(id, (current, adminCount) => {
      if (current.id === actorId)
        throw new DomainError(ErrorKind.FailedPrecondition, 'You cannot delete your own account here.');
      if (current.role === 'admin' && adminCount <= 1) {
        throw new DomainError(
          ErrorKind.FailedPrecondition,
          'This is the last administrator and cannot be deleted.',
        );
      }
    });
    if (!deleted) throw notFound();
    await this.redis.revocations.revokeUserTokens(id);
    await this.redis.revocations.apiKeyChanged(id);
    this.announce(EVENTS.userDeleted, { id, role: '' });
  }

  private announce(
    event: typeof EVENTS.userCreated | typeof EVENTS.userUpdated | typeof EVENTS.userDeleted,
    user: { id: string; role: string },
  ): void {
    try {
      this.nats.publish(event, { v: EVENT_VERSION, user: { id: user.id, role: user.role } });
    } catch {
      // A notification only; the change itself is saved.
    }
  }
}
