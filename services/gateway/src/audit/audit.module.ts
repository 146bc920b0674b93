import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { AuditRouteInterceptor } from './audit.interceptor';
import { AuditMiddleware } from './audit.middleware';

/** The audit log on every gateway route (AUDIT_LOG_LEVEL; NONE writes nothing). */
@Module({})
export class AuditModule implements NestModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: AuditModule,
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        AuditMiddleware,
        { provide: APP_INTERCEPTOR, useClass: AuditRouteInterceptor },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuditMiddleware).forRoutes({ path: '*path', method: RequestMethod.ALL });
  }
}
