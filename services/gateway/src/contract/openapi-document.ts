import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { errorBody } from './common-schemas';
import type { RouteContract } from './route-contract';
import { z } from './zod-openapi';

/** The REST API's version; Open WebUI compatibility means its paths do not change between releases. */
export const REST_API_VERSION = '1.0.0';

const EVERY_METHOD = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Every route needs one of these unless it is public: the session JWT or an API key (`sk-...`). */
const SECURITY: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { apiKey: [] }, { cookieAuth: [] }];

function pathParams(route: RouteContract) {
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  if (route.params || !names.length) return route.params;
  return z.object(Object.fromEntries(names.map((name) => [name, z.string()])));
}

function errorResponses(route: RouteContract): RouteConfig['responses'] {
  const error = (description: string) => ({
    description,
    content: { 'application/json': { schema: errorBody } },
  });
  return {
    ...(route.params || route.query || route.body ? { 400: error('Invalid input') } : {}),
    ...(route.auth === 'public' ? {} : { 401: error('Not signed in') }),
    ...(route.auth === 'admin' ? { 403: error('Not an admin') } : {}),
    503: error('A service the gateway needs is unavailable'),
  };
}

function operation(route: RouteContract): Omit<RouteConfig, 'method'> {
  const params = pathParams(route);
  const responses: RouteConfig['responses'] = { ...errorResponses(route) };
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.headers
        ? {
            headers: Object.fromEntries(
              Object.entries(response.headers).map(([name, description]) => [
                name,
                { description, schema: { type: 'string' as const } },
              ]),
            ),
          }
        : {}),
      ...(response.schema || response.contentType
        ? {
            content: {
              [response.contentType ?? 'application/json']: { schema: response.schema ?? z.unknown() },
            },
          }
        : {}),
    };
  }
  return {
    path: route.path,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [...route.tags],
    ...(route.auth === 'public' ? { security: [] } : {}),
    request: {
      ...(params ? { params } : {}),
      ...(route.query ? { query: route.query } : {}),
      ...(route.body
        ? { body: { required: true, content: { 'application/json': { schema: route.body } } } }
        : {}),
    },
    responses,
  };
}

/** The OpenAPI 3.1 document of the given routes (GET /openapi.json; the web app's types come from it). */
export function buildOpenApiDocument(routes: readonly RouteContract[]) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'The session token from POST /api/v1/auths/signin.',
  });
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'sk-...',
    description: 'An API key from POST /api/v1/auths/api_key, sent as the bearer token (as in Open WebUI).',
  });
  registry.registerComponent('securitySchemes', 'cookieAuth', {
    type: 'apiKey',
    in: 'cookie',
    name: 'token',
    description: 'The session cookie set at sign-in (browsers).',
  });
  for (const route of routes) {
    const methods = route.method === 'all' ? EVERY_METHOD : [route.method];
    for (const method of methods) registry.registerPath({ method, ...operation(route) });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Parley REST API',
      version: REST_API_VERSION,
      description:
        'Open WebUI-compatible REST API of the Parley gateway. Errors answer `{detail, code}`; clients ' +
        'branch on `code`.',
    },
    security: SECURITY,
  });
}
