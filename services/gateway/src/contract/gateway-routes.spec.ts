import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CUSTOM_ROUTE_ARGS_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { gatewayControllers, gatewayNestRoutes } from '../testing/nest-routes';
import { GATEWAY_ROUTES } from './gateway-routes';
import { buildOpenApiDocument } from './openapi-document';
import type { RouteContract } from './route-contract';
import { nestPath, ROUTE_CONTRACTS } from './route.decorator';

function nestRoutes() {
  return [...new Set(gatewayNestRoutes().map((r) => `${r.route} ${r.auth}`))].sort();
}

function documentedRoutes() {
  return [
    ...new Set(GATEWAY_ROUTES.map((r) => `${r.method.toUpperCase()} /${nestPath(r)} ${r.auth}`)),
  ].sort();
}

describe('the REST contract', () => {
  it('documents exactly the routes Nest serves, each with the role its guard checks', () => {
    expect(documentedRoutes()).toEqual(nestRoutes());
  });

  it('validates the declared input of every handler through @RouteInput()', () => {
    // Sign-in reads its body only without a trusted sign-in proxy, and validates it itself then; the
    // settings route keeps the error code it has always answered with (see its handler).
    const validatesItself = ['/api/v1/auths/signin', '/api/v1/users/user/settings/update'];
    const unchecked: string[] = [];
    for (const controller of gatewayControllers()) {
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = Object.getOwnPropertyDescriptor(controller.prototype, name)?.value as object;
        const routes = (typeof handler === 'function' && Reflect.getMetadata(ROUTE_CONTRACTS, handler)) as
          RouteContract[] | false | undefined;
        if (!routes) continue;
        const route = routes[0]!;
        const passThrough = route.body?._def.typeName === 'ZodUnknown' && !route.query;
        if (!(route.params || route.query || route.body) || passThrough) continue;
        const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {};
        const hasInput = Object.keys(args).some((key) => key.includes(CUSTOM_ROUTE_ARGS_METADATA));
        if (!hasInput && !validatesItself.includes(route.path))
          unchecked.push(`${route.method} ${route.path}`);
      }
    }
    expect(unchecked).toEqual([]);
  });

  it('declares each method and path once', () => {
    const keys = GATEWAY_ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(keys.filter((key, i) => keys.indexOf(key) !== i)).toEqual([]);
  });

  it('declares a schema for every path parameter', () => {
    for (const route of GATEWAY_ROUTES) {
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      if (!names.length) continue;
      expect({
        path: route.path,
        params: Object.keys((route.params as { shape?: object } | undefined)?.shape ?? {}),
      }).toEqual({
        path: route.path,
        params: names,
      });
    }
  });

  it('is a valid OpenAPI 3.1 document listing every route', () => {
    const document = buildOpenApiDocument(GATEWAY_ROUTES);
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.components?.securitySchemes ?? {}).sort()).toEqual([
      'apiKey',
      'bearerAuth',
      'cookieAuth',
    ]);
    const operations = Object.values(document.paths ?? {}).flatMap((item) => Object.keys(item ?? {}));
    const expected = GATEWAY_ROUTES.reduce((n, r) => n + (r.method === 'all' ? 5 : 1), 0);
    expect(operations.length).toBe(expected);

    const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    // The validator is an ES module; its CLI checks the file against the official 3.1 schema.
    const cli = require.resolve('@seriousme/openapi-schema-validator/bin/validate-api-cli.js');
    const output = execFileSync(process.execPath, [cli, file], { encoding: 'utf8' });
    expect(JSON.parse(output.slice(output.indexOf('{')))).toMatchObject({ valid: true });
  });
});
