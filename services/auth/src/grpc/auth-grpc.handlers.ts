import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { GrpcServerHost } from '@parley/grpc';
import { authV1 } from '@parley/proto';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { AUTH_CONFIG, AuthConfig } from '../auth.config';
import type { ApiKey } from '../generated/prisma/client';
import { GroupsService, GroupView } from '../groups/groups.service';
import { SigningKeysService } from '../signing-keys/signing-keys.service';
import { IssuedToken } from '../tokens/token-issuer';
import { RoleName } from '../users/user-rules';
import { UserRecord } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { LdapDirectory } from '../ldap/ldap-directory';

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
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  onModuleInit(): void {
    this.host.addService(authV1.AuthService, {
      signUp: async (request) => {
        const { user, accessToken } = await this.users.signUp(request);
        return { user: toUserMessage(user), accessToken: toToken(accessToken) };
      },
      signIn: async (request) => {
        const { user, accessToken } = await this.users.signIn(request);
        return { user: toUserMessage(user), accessToken: toToken(accessToken) };
      },
      signInWithLdap: async (request) => {
        const identity = await this.ldap.authenticate(request.username, request.password);
        const { user, accessToken } = await this.users.signInWithDirectoryIdentity(identity);
        return { user: toUserMessage(user), accessToken: toToken(accessToken) };
      },
      signInWithTrustedHeader: async (request) => {
        const { user, accessToken } = await this.users.signInWithTrustedHeader(request.email, request.name);
        return { user: toUserMessage(user), accessToken: toToken(accessToken) };
      },
      getSignInOptions: async () => ({
        enableSignup: this.config.ENABLE_SIGNUP,
        enableLdap: this.config.ENABLE_LDAP,
        enableApiKey: this.config.ENABLE_API_KEY,
        oidcProviderName: this.config.OPENID_PROVIDER_URL ? this.config.OAUTH_PROVIDER_NAME : '',
        trustedHeader: !!this.config.WEBUI_AUTH_TRUSTED_EMAIL_HEADER,
        firstUser: await this.users.isFirstUser(),
      }),
      revokeToken: async (request) => {
        await this.users.revokeToken(request.tokenId, Number(request.expiresAt));
        return {};
      },
      getUser: async (request) => ({ user: toUserMessage(await this.users.getUser(request.id)) }),
      getJwks: async () => ({ jwksJson: JSON.stringify(await this.keys.jwks()) }),
      updatePassword: async (request) => ({
        accessToken: toToken(
          await this.users.updatePassword(request.actorId, request.currentPassword, request.newPassword),
        ),
      }),
      updateProfile: async (request) => ({
        user: toUserMessage(
          await this.users.updateProfile(request.actorId, request.name, request.profileImageUrl),
        ),
      }),
      addUser: async (request) => ({
        user: toUserMessage(
          await this.users.addUser({
            name: request.name,
            email: request.email,
            password: request.password,
            role: roleName(request.role),
          }),
        ),
      }),
      listUsers: async (request) => {
        const { users, total } = await this.users.listUsers(request.query, request.page || 1);
        return { users: users.map(toUserMessage), total };
      },
      updateUser: async (request) => ({
        user: toUserMessage(
          await this.users.updateUser(request.actorId, request.id, {
            name: request.name,
            email: request.email,
            role: request.role === authV1.Role.UNSPECIFIED ? undefined : roleName(request.role),
            password: request.password,
            profileImageUrl: request.profileImageUrl,
          }),
        ),
      }),
      deleteUser: async (request) => {
        await this.users.deleteUser(request.actorId, request.id);
        return {};
      },
      createApiKey: async (request) => {
        const { key, info } = await this.apiKeys.create(request.actorId);
        return { apiKey: key, info: toKeyInfo(info) };
      },
      getApiKey: async (request) => {
        const info = await this.apiKeys.get(request.actorId);
        return info ? { info: toKeyInfo(info) } : {};
      },
      deleteApiKey: async (request) => {
        await this.apiKeys.delete(request.actorId);
        return {};
      },
      authenticateApiKey: async (request) => {
        const { user, keyId } = await this.apiKeys.authenticate(request.apiKey);
        return { user: toUserMessage(user), keyId };
      },
      createGroup: async (request) => ({
        group: toGroup(
          await this.groups.create({
            name: request.name,
            description: request.description,
            permissions: request.permissions,
            userIds: request.userIds,
          }),
        ),
      }),
      listGroups: async () => ({ groups: (await this.groups.list()).map(toGroup) }),
      updateGroup: async (request) => ({
        group: toGroup(
          await this.groups.update(request.id, {
            name: request.name,
            description: request.description,
            permissions: request.setPermissions ? request.permissions : undefined,
            userIds: request.setUserIds ? request.userIds : undefined,
          }),
        ),
      }),
      deleteGroup: async (request) => {
        await this.groups.delete(request.id);
        return {};
      },
      getPermissions: async (request) => ({ permissions: await this.groups.permissionsOf(request.userId) }),
      getCallerProfile: async (request, call) => {
        if (call.caller.kind !== 'service')
          throw new DomainError(
            ErrorKind.PermissionDenied,
            'Caller profiles are for the edge services only.',
          );
        const profile = await this.groups.callerProfileOf(request.id);
        return {
          role: ROLES[profile.role] ?? authV1.Role.UNSPECIFIED,
          groupIds: profile.groupIds,
          permissions: profile.permissions,
        };
      },
      getUserSettings: async (request) => ({
        settingsJson: JSON.stringify(await this.users.getSettings(request.actorId)),
      }),
      updateUserSettings: async (request) => ({
        settingsJson: JSON.stringify(await this.users.updateSettings(request.actorId, request.settingsJson)),
      }),
    });
  }
}
