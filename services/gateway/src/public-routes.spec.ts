import 'reflect-metadata';
import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { parseConfig } from '@parley/config';
import { HealthController, IS_PUBLIC } from '@parley/lifecycle';
import { createLogger } from '@parley/logging';
import { GatewayAppModule } from './app.module';
import { gatewayConfigSchema } from './gateway.config';

/**
 * Every route needs a signed-in user (the global AuthGuard) unless it is marked @Public(). This test
 * lists the public ones, so making a route public is a visible, reviewed change. The controllers are
 * read from the gateway's module, so a new controller is covered without touching this file.
 */
const CONTROLLERS = [
  ...((GatewayAppModule.register(
    parseConfig(gatewayConfigSchema, { CALLER_ASSERTION_SECRET: 'a unit test caller assertion secret' }),
    createLogger({ service: 'test', level: 'silent' }),
  ).controllers ?? []) as Type[]),
  HealthController,
];

function routes() {
  const all: Array<{ route: string; isPublic: boolean }> = [];
  for (const controller of CONTROLLERS) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const classPublic = Reflect.getMetadata(IS_PUBLIC, controller) === true;
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(controller.prototype, name);
      if (!descriptor || typeof descriptor.value !== 'function') continue; // getters are not routes
      const handler = descriptor.value as object;
      const path = Reflect.getMetadata(PATH_METADATA, handler);
      if (name === 'constructor' || path === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const full = `/${[base, String(path)].filter((p) => p && p !== '/').join('/')}`;
      all.push({
        route: `${method} ${full}`,
        isPublic: classPublic || Reflect.getMetadata(IS_PUBLIC, handler) === true,
      });
    }
  }
  return all;
}

describe('gateway route guards', () => {
  it('exposes exactly these routes without sign-in', () => {
    expect(
      routes()
        .filter((r) => r.isPublic)
        .map((r) => r.route)
        .sort(),
    ).toEqual([
      'GET /api/config',
      'GET /api/v1/auths/signout',
      'GET /health',
      'GET /health/live',
      'GET /health/ready',
      'GET /metrics',
      'POST /api/v1/auths/ldap',
      'POST /api/v1/auths/signin',
      'POST /api/v1/auths/signup',
    ]);
  });

  it('finds the guarded routes too (the walk itself works)', () => {
    expect(
      routes()
        .filter((r) => !r.isPublic)
        .map((r) => r.route),
    ).toEqual(
      expect.arrayContaining([
        'POST /api/v1/chats/new',
        'GET /api/v1/chats',
        'GET /api/v1/chats/:id',
        'GET /api/v1/auths',
      ]),
    );
  });
});
