import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { AuditLog } from './audit-log';
import { AuditRouteInterceptor } from './audit.interceptor';
import { AuditMiddleware } from './audit.middleware';

/** The audit log on every gateway route (AUDIT_LOG_LEVEL; NONE writes nothing) and the AuditLog sink. */
@Module({})
export class AuditModule implements NestModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: AuditModule,
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        AuditLog,
        AuditMiddleware,
        { provide: APP_INTERCEPTOR, useClass: AuditRouteInterceptor },
      ],
      // The public gRPC API writes its admin actions to the same log.
      exports: [AuditLog],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuditMiddleware).forRoutes({ path: '*path', method: RequestMethod.ALL });
  }
}
