import { DynamicModule, Module } from '@nestjs/common';
import { GrpcServerHost } from '@parley/grpc';
import { LifecycleModule } from '@parley/lifecycle';
import { LOGGER, Logger } from '@parley/logging';
import { NatsModule, natsSubjectPrefix } from '@parley/nats';
import { ApiKeysService } from './api-keys/api-keys.service';
import { AUTH_CONFIG, AuthConfig } from './auth.config';
import { PrismaService } from './database/prisma.service';
import { AuthGrpcHandlers } from './grpc/auth-grpc.handlers';
import { GroupsService } from './groups/groups.service';
import { InstanceSettingsService } from './instance-settings/instance-settings.service';
import { LdapDirectory } from './ldap/ldap-directory';
import { OidcAccountsService } from './oidc/oidc-accounts.service';
import { OidcController } from './oidc/oidc.controller';
import { AuthRedis } from './redis/auth-redis';
import { GlobalRevocations } from './revocations/global-revocations';
import { SigningKeysRepository } from './signing-keys/signing-keys.repository';
import { SigningKeysService } from './signing-keys/signing-keys.service';
import { TokenIssuer } from './tokens/token-issuer';
import { PasswordHasher } from './users/password-hasher';
import { UsersRepository } from './users/users.repository';
import { UsersService } from './users/users.service';

@Module({})
export class AuthAppModule {
  static register(config: AuthConfig, logger: Logger, grpcHost: GrpcServerHost): DynamicModule {
    return {
      module: AuthAppModule,
      imports: [
        LifecycleModule.forRoot(),
        NatsModule.forRoot({
          url: config.NATS_URL,
          name: `auth-${process.pid}`,
          logger,
          subjectPrefix: natsSubjectPrefix(config),
        }),
      ],
      controllers: [OidcController],
      providers: [
        { provide: AUTH_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: GrpcServerHost, useValue: grpcHost },
        PrismaService,
        AuthRedis,
        GlobalRevocations,
        ApiKeysService,
        GroupsService,
        InstanceSettingsService,
        LdapDirectory,
        OidcAccountsService,
        SigningKeysRepository,
        SigningKeysService,
        TokenIssuer,
        PasswordHasher,
        UsersRepository,
        UsersService,
        AuthGrpcHandlers,
      ],
    };
  }
}
