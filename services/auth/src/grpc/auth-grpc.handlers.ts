import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { GrpcServerHost } from '@parley/grpc';
import { authV1 } from '@parley/proto';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { AUTH_CONFIG, AuthConfig } from '../auth.config';
import type { ApiKey } from '../generated/prisma/client';
import { GroupsService, GroupView } from '../groups/groups.service';
import { InstanceSettingsService } from '../instance-settings/instance-settings.service';
import { SigningKeysService } from '../signing-keys/signing-keys.service';
import { IssuedToken } from '../tokens/token-issuer';
import { RoleName } from '../users/user-rules';
import { UserRecord } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { LdapDirectory } from '../ldap/ldap-directory';
import { callerRules } from './caller-rules';

const ROLES: Record<string, authV1.Role> = {
  admin: authV1.Role.ADMIN,
  user: authV1.Role.USER,
  pending: authV1.Role.PENDING,
};
const ROLE_NAMES: Partial<Record<authV1.Role, RoleName>> = {
  [authV1.Role.ADMIN]: 'admin',
  [authV1.Role.USER]: 'user',
  [authV1.Role.PENDING]: 'pending',
};

const seconds = (date: Date | null | undefined) => BigInt(date ? Math.floor(date.getTime() / 1000) : 0);

export function toUserMessage(user: UserRecord) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: ROLES[user.role] ?? authV1.Role.UNSPECIFIED,
    profileImageUrl: user.profileImageUrl,
    createdAt: seconds(user.createdAt),
    updatedAt: seconds(user.updatedAt),
    lastActiveAt: seconds(user.lastActiveAt),
  };
}

const toToken = (token: IssuedToken) => ({ token: token.token, expiresAt: BigInt(token.expiresAt) });
const toKeyInfo = (key: ApiKey) => ({
  prefix: key.prefix,
  createdAt: seconds(key.createdAt),
  lastUsedAt: seconds(key.lastUsedAt),
});
const toGroup = (group: GroupView) => ({
  id: group.id,
  name: group.name,
  description: group.description,
  permissions: group.permissions,
  userIds: group.userIds,
  createdAt: seconds(group.createdAt),
  updatedAt: seconds(group.updatedAt),
});

function roleName(role: authV1.Role): RoleName {
  const name = ROLE_NAMES[role];
  if (!name) throw new DomainError(ErrorKind.InvalidArgument, 'role must be admin, user or pending.');
  return name;
}

/** The AuthService gRPC contract, mapped onto the use cases. */
@Injectable()
export class AuthGrpcHandlers implements OnModuleInit {
  constructor(
    @Inject(GrpcServerHost) private readonly host: GrpcServerHost,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(SigningKeysService) private readonly keys: SigningKeysService,
    @Inject(ApiKeysService) private readonly apiKeys: ApiKeysService,
    @Inject(GroupsService) private readonly groups: GroupsService,
    @Inject(LdapDirectory) private readonly ldap: LdapDirectory,
    @Inject(InstanceSettingsService) private readonly settings: InstanceSettingsService,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  /** A sign-in's answer: the user, the token, and what the user may do (Open WebUI answers all three). */
  private async session(user: UserRecord, accessToken: IssuedToken) {
    return {
      user: toUserMessage(user),
      accessToken: toToken(accessToken),
      permissions: await this.groups.permissionsOf(user.id),
    };
  }

  onModuleInit(): void {
    const rules = callerRules;
    this.host.addService(authV1.AuthService, {
      signUp: async (request, call) => {
        rules.service(call);
        const { user, accessToken } = await this.users.signUp(request);
        return this.session(user, accessToken);
      },
      signIn: async (request, call) => {
        rules.service(call);
        const { user, accessToken } = await this.users.signIn(request);
        return this.session(user, accessToken);
      },
      signInWithLdap: async (request, call) => {
        rules.service(call);
        const identity = await this.ldap.authenticate(request.username, request.password);
        const { user, accessToken } = await this.users.signInWithDirectoryIdentity(identity);
        return this.session(user, accessToken);
      },
      signInWithTrustedHeader: async (request, call) => {
        rules.service(call);
        const { user, accessToken } = await this.users.signInWithTrustedHeader(request.email, request.name);
        return this.session(user, accessToken);
      },
      signInSingleUser: async (_request, call) => {
        rules.service(call);
        const { user, accessToken } = await this.users.signInSingleUser();
        return this.session(user, accessToken);
      },
      // Anyone: what the sign-in screen shows.
      getSignInOptions: async () => {
        const settings = await this.settings.effective();
        return {
          singleUser: !this.config.WEBUI_AUTH,
          enableSignup: settings.ENABLE_SIGNUP,
          enableLdap: this.config.ENABLE_LDAP,
          enableApiKey: settings.ENABLE_API_KEY,
          oidcProviderName: this.config.OPENID_PROVIDER_URL ? this.config.OAUTH_PROVIDER_NAME : '',
          trustedHeader: !!this.config.WEBUI_AUTH_TRUSTED_EMAIL_HEADER,
          firstUser: await this.users.isFirstUser(),
        };
      },
      // Any caller: a token id is only known to whoever holds the token (sign-out).
      revokeToken: async (request) => {
        await this.users.revokeToken(request.tokenId, Number(request.expiresAt));
        return {};
      },
      getUser: async (request, call) => {
        rules.serviceSelfOrAdmin(call, request.id);
        return { user: toUserMessage(await this.users.getUser(request.id)) };
      },
      // Anyone: public keys.
      getJwks: async () => ({ jwksJson: JSON.stringify(await this.keys.jwks()) }),
      updatePassword: async (request, call) => ({
        accessToken: toToken(
          await this.users.updatePassword(
            rules.self(call, { pending: true }).userId,
            request.currentPassword,
            request.newPassword,
          ),
        ),
      }),
      updateProfile: async (request, call) => ({
        user: toUserMessage(
          await this.users.updateProfile(
            rules.self(call, { pending: true }).userId,
            request.name,
            request.profileImageUrl,
          ),
        ),
      }),
      addUser: async (request, call) => {
        rules.admin(call);
        return {
          user: toUserMessage(
            await this.users.addUser({
              name: request.name,
              email: request.email,
              password: request.password,
              role: roleName(request.role),
            }),
          ),
        };
      },
      listUsers: async (request, call) => {
        rules.admin(call);
        const role = request.role === authV1.Role.UNSPECIFIED ? undefined : roleName(request.role);
        const { users, total } = await this.users.listUsers(request.query, request.page || 1, role);
        return { users: users.map(toUserMessage), total, pageSize: this.config.USERS_PAGE_SIZE };
      },
      updateUser: async (request, call) => ({
        user: toUserMessage(
          await this.users.updateUser(rules.admin(call).userId, request.id, {
            name: request.name,
            email: request.email,
            role: request.role === authV1.Role.UNSPECIFIED ? undefined : roleName(request.role),
            password: request.password,
            profileImageUrl: request.profileImageUrl,
          }),
        ),
      }),
      deleteUser: async (request, call) => {
        await this.users.deleteUser(rules.admin(call).userId, request.id);
        return {};
      },
      createApiKey: async (_request, call) => {
        const { key, info } = await this.apiKeys.create(rules.self(call).userId);
        return { apiKey: key, info: toKeyInfo(info) };
      },
      getApiKey: async (_request, call) => {
        const info = await this.apiKeys.get(rules.self(call).userId);
        return info ? { info: toKeyInfo(info) } : {};
      },
      deleteApiKey: async (_request, call) => {
        await this.apiKeys.delete(rules.self(call).userId);
        return {};
      },
      authenticateApiKey: async (request, call) => {
        rules.service(call);
        const { user, keyId } = await this.apiKeys.authenticate(request.apiKey);
        return { user: toUserMessage(user), keyId };
      },
      createGroup: async (request, call) => {
        rules.admin(call);
        return {
          group: toGroup(
            await this.groups.create({
              name: request.name,
              description: request.description,
              permissions: request.permissions,
              userIds: request.userIds,
            }),
          ),
        };
      },
      listGroups: async (_request, call) => {
        rules.admin(call);
        return { groups: (await this.groups.list()).map(toGroup) };
      },
      updateGroup: async (request, call) => {
        rules.admin(call);
        return {
          group: toGroup(
            await this.groups.update(request.id, {
              name: request.name,
              description: request.description,
              permissions: request.setPermissions ? request.permissions : undefined,
              userIds: request.setUserIds ? request.userIds : undefined,
            }),
          ),
        };
      },
      deleteGroup: async (request, call) => {
        rules.admin(call);
        await this.groups.delete(request.id);
        return {};
      },
      getPermissions: async (_request, call) => ({
        permissions: await this.groups.permissionsOf(rules.self(call, { pending: true }).userId),
      }),
      getCallerProfile: async (request, call) => {
        rules.service(call);
        const profile = await this.groups.callerProfileOf(request.id);
        // The gateway asks for the profile of whoever is making requests: that is what "active" means.
        await this.users.markActive(request.id);
        return {
          role: ROLES[profile.role] ?? authV1.Role.UNSPECIFIED,
          groupIds: profile.groupIds,
          permissions: profile.permissions,
        };
      },
      getUserSettings: async (_request, call) => ({
        settingsJson: JSON.stringify(await this.users.getSettings(rules.self(call).userId)),
      }),
      updateUserSettings: async (request, call) => ({
        settingsJson: JSON.stringify(
          await this.users.updateSettings(rules.self(call).userId, request.settingsJson),
        ),
      }),
      getAdminDetails: async (_request, call) => {
        rules.self(call, { pending: true });
        return this.users.adminDetails();
      },
      getDefaultPermissions: async (_request, call) => {
        rules.admin(call);
        return { permissions: await this.groups.defaults() };
      },
      getPublicProfile: async (request, call) => {
        rules.self(call);
        const user = await this.users.getUser(request.id);
        return {
          name: user.name,
          profileImageUrl: user.profileImageUrl,
          lastActiveAt: seconds(user.lastActiveAt),
        };
      },
      getUserInfo: async (_request, call) => {
        const info = await this.users.getInfo(rules.self(call).userId);
        return { infoJson: info === null ? '' : JSON.stringify(info) };
      },
      // Any verified caller: nothing in them is secret, and the sign-in screen needs some before sign-in.
      getInstanceSettings: async () => ({ settingsJson: JSON.stringify(await this.settings.all()) }),
      updateInstanceSettings: async (request, call) => ({
        settingsJson: JSON.stringify(
          await this.settings.update(request.changesJson, rules.admin(call).userId),
        ),
      }),
      updateUserInfo: async (request, call) => ({
        infoJson: JSON.stringify(await this.users.updateInfo(rules.self(call).userId, request.infoJson)),
      }),
    });
  }
}
