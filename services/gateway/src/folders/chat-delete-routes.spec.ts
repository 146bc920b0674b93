import 'reflect-metadata';
import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { parseConfig } from '@parley/config';
import { createLogger } from '@parley/logging';
import { GatewayAppModule } from '../app.module';
import { RequirePermission } from '../authentication/permission.guard';
import { gatewayConfigSchema } from '../gateway.config';

/**
 * Every DELETE route under /api/v1/chats or /api/v1/folders must require chat.delete, unless it is listed
 * here as one that removes no chat or message. A new DELETE route fails this test until it is decided.
 * The routes are read from the gateway's own module, so a new controller is covered too.
 */
const REMOVES_NO_CHAT: Record<string, string> = {
  'DELETE /api/v1/chats/:id/share':
    'removes the shared snapshot, not the chat (chat.share is for creating it)',
  'DELETE /api/v1/chats/:id/tags': 'removes a tag from the chat',
};

function permissionKey(): string | symbol {
  // The guard's metadata key, read off a probe so that this test follows a rename.
  class Probe {
    handler() {}
  }
  const descriptor = Object.getOwnPropertyDescriptor(Probe.prototype, 'handler')!;
  RequirePermission('probe')(Probe.prototype, 'handler', descriptor);
  const key = Reflect.getMetadataKeys(descriptor.value).find(
    (k) => Reflect.getMetadata(k, descriptor.value) === 'probe',
  );
  if (key === undefined) throw new Error('RequirePermission left no metadata');
  return key as string | symbol;
}

function deleteRoutes() {
  const key = permissionKey();
  const controllers = (GatewayAppModule.register(
    parseConfig(gatewayConfigSchema, { CALLER_ASSERTION_SECRET: 'a unit test caller assertion secret' }),
    createLogger({ service: 'test', level: 'silent' }),
  ).controllers ?? []) as Type[];
  const all: Array<{ route: string; permission: unknown }> = [];
  for (const controller of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(controller.prototype, name);
      if (name === 'constructor' || !descriptor || typeof descriptor.value !== 'function') continue;
      const handler = descriptor.value as object;
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (paths === undefined) continue;
      if (Reflect.getMetadata(METHOD_METADATA, handler) !== RequestMethod.DELETE) continue;
      for (const path of ([] as string[]).concat(paths)) {
        const full = `/${[base, path].filter((p) => p && p !== '/').join('/')}`;
        if (/^\/api\/v1\/(chats|folders)(\/|$)/.test(full))
          all.push({ route: `DELETE ${full}`, permission: Reflect.getMetadata(key, handler) });
      }
    }
  }
  return all;
}

describe('routes that delete chats', () => {
  const routes = deleteRoutes();

  it('finds the chat and folder DELETE routes', () => {
    expect(routes.map((r) => r.route)).toEqual(
      expect.arrayContaining([
        'DELETE /api/v1/chats',
        'DELETE /api/v1/chats/:id',
        'DELETE /api/v1/folders/:id',
      ]),
    );
  });

  it.each(deleteRoutes().map((r) => [r.route, r.permission]))(
    '%s requires chat.delete',
    (route, permission) => {
      if (route in REMOVES_NO_CHAT) expect(permission).not.toBe('chat.delete');
      else expect(permission).toBe('chat.delete');
    },
  );
});
