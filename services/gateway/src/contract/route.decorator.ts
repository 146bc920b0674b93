import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  HttpCode,
  RequestMapping,
  RequestMethod,
  SetMetadata,
} from '@nestjs/common';
import type { Request } from 'express';
import { AdminOnly, AllowPending } from '@parley/auth-guard';
import { Public } from '@parley/lifecycle';
import type { RouteContract, RouteMethod } from './route-contract';
import { parseRouteInput } from './route-input';

export const ROUTE_CONTRACTS = 'parley:routeContracts';

const NEST_METHODS: Record<RouteMethod, RequestMethod> = {
  get: RequestMethod.GET,
  post: RequestMethod.POST,
  put: RequestMethod.PUT,
  patch: RequestMethod.PATCH,
  delete: RequestMethod.DELETE,
  all: RequestMethod.ALL,
};

/** `/api/v1/chats/{id}` as Nest's `api/v1/chats/:id`; with `rest`, the last `{x}` is `*x`. */
export function nestPath(route: Pick<RouteContract, 'path' | 'rest'>): string {
  const path = route.path.replace(/^\/+|\/+$/g, '');
  const named = path.replace(/\{(\w+)\}/g, ':$1');
  return route.rest ? named.replace(/:(\w+)$/, '*$1') : named;
}

/**
 * Ties a handler to its contract(s): the HTTP method and path, the success status and the role check.
 * More than one contract is for aliases served by the same code (`/api/models` and `/api/v1/models`);
 * they must share method, status and auth. The controller itself has `@Controller()` with no prefix.
 */
export function Route(...routes: [RouteContract, ...RouteContract[]]): MethodDecorator {
  const [first] = routes;
  for (const other of routes)
    if (other.method !== first.method || other.auth !== first.auth || other.status !== first.status)
      throw new Error(`Route aliases of ${first.path} differ in method, auth or status: ${other.path}`);
  const paths = [...new Set(routes.map(nestPath))];
  const auth = { public: [Public()], pending: [AllowPending()], admin: [AdminOnly()], user: [] }[first.auth];
  return applyDecorators(
    RequestMapping({ path: paths.length === 1 ? paths[0] : paths, method: NEST_METHODS[first.method] }),
    HttpCode(first.status ?? 200),
    SetMetadata(ROUTE_CONTRACTS, routes),
    ...auth,
  );
}

/**
 * The request's params, query and body, validated against the handler's contract (the first one, for
 * aliases): a bad one answers 400 `{detail, code: 'INVALID_INPUT'}` before the handler runs.
 */
export const RouteInput = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const routes = Reflect.getMetadata(ROUTE_CONTRACTS, context.getHandler()) as RouteContract[] | undefined;
  if (!routes) throw new Error(`@RouteInput() on ${context.getHandler().name} without @Route(...)`);
  const route = routes[0]!;
  const req = context.switchToHttp().getRequest<Request>();
  return parseRouteInput(route, req);
});
