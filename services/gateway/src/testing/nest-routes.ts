import 'reflect-metadata';
import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ALLOW_PENDING, REQUIRE_ADMIN } from '@parley/auth-guard';
import { parseConfig } from '@parley/config';
import { HealthController, IS_PUBLIC } from '@parley/lifecycle';
import { createLogger } from '@parley/logging';
import { GatewayAppModule } from '../app.module';
import { gatewayConfigSchema } from '../gateway.config';

export interface NestRoute {
  /** `GET /api/v1/chats/:id` */
  route: string;
  auth: 'public' | 'pending' | 'user' | 'admin';
}

/**
 * Every route the gateway's Nest module serves (plus the lifecycle's health routes), read from the
 * module's own controllers, so a new controller is covered without touching the tests that use this.
 */
export function gatewayControllers(): Type[] {
  return [
    ...((GatewayAppModule.register(
      parseConfig(gatewayConfigSchema, { CALLER_ASSERTION_SECRET: 'a unit test caller assertion secret' }),
      createLogger({ service: 'test', level: 'silent' }),
    ).controllers ?? []) as Type[]),
    HealthController,
  ];
}

export function gatewayNestRoutes(): NestRoute[] {
  const all: NestRoute[] = [];
  for (const controller of gatewayControllers()) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(controller.prototype, name);
      if (!descriptor || typeof descriptor.value !== 'function') continue; // getters are not routes
      const handler = descriptor.value as object;
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (name === 'constructor' || paths === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const flag = (key: string) =>
        Reflect.getMetadata(key, handler) === true || Reflect.getMetadata(key, controller) === true;
      const auth = flag(IS_PUBLIC)
        ? 'public'
        : flag(REQUIRE_ADMIN)
          ? 'admin'
          : flag(ALLOW_PENDING)
            ? 'pending'
            : 'user';
      for (const path of [paths].flat()) {
        all.push({ route: `${method} /${[base, path].filter((p) => p && p !== '/').join('/')}`, auth });
      }
    }
  }
  return all;
}
