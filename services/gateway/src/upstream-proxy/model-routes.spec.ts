import 'reflect-metadata';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { REQUIRE_ADMIN } from '@parley/auth-guard';
import { IS_PUBLIC } from '@parley/lifecycle';
import { CompletionsController } from '../completions/completions.controller';
import { ModelsController } from '../models/models.controller';
import { ConnectionsConfigController } from './connections-config.controller';
import { UpstreamProxyController } from './upstream-proxy.controller';

/** The model routes: none public; connection settings and the Ollama admin pass-through for admins only. */
function routes(controllers: Array<new (...args: never[]) => unknown>) {
  const all: Array<{ route: string; isPublic: boolean; admin: boolean }> = [];
  for (const controller of controllers) {
    const classAdmin = Reflect.getMetadata(REQUIRE_ADMIN, controller) === true;
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = (controller.prototype as Record<string, object>)[name]!;
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (name === 'constructor' || paths === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      for (const path of ([] as string[]).concat(paths)) {
        all.push({
          route: `${method} /${path}`,
          isPublic:
            Reflect.getMetadata(IS_PUBLIC, handler) === true ||
            Reflect.getMetadata(IS_PUBLIC, controller) === true,
          admin: classAdmin || Reflect.getMetadata(REQUIRE_ADMIN, handler) === true,
        });
      }
    }
  }
  return all;
}

describe('model routes in the gateway', () => {
  const all = routes([
    ModelsController,
    CompletionsController,
    ConnectionsConfigController,
    UpstreamProxyController,
  ]);

  it('has no public route', () => {
    expect(all.length).toBeGreaterThan(10);
    expect(all.filter((r) => r.isPublic)).toEqual([]);
  });

  it('keeps connection settings and the rest of /ollama/* for admins, the rest for signed-in users', () => {
    expect(
      all
        .filter((r) => r.admin)
        .map((r) => r.route)
        .sort(),
    ).toEqual([
      'ALL /ollama/*path',
      'GET /api/models/base',
      'GET /api/v1/models/base',
      'GET /ollama/config',
      'GET /openai/config',
      'POST /ollama/api/unload',
      'POST /ollama/config/update',
      'POST /ollama/models/:action',
      'POST /ollama/verify',
      'POST /openai/config/update',
      'POST /openai/verify',
    ]);
    expect(all.filter((r) => !r.admin).map((r) => r.route)).toEqual(
      expect.arrayContaining([
        'GET /api/models',
        'POST /api/chat/completions',
        'POST /ollama/api/chat',
        'ALL /openai/*path',
      ]),
    );
  });
});
