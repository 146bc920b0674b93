import { parseBody } from '../validation/parse-body';
import type { RouteInput, RouteSpec } from './route-contract';

/**
 * A request's params, query and body checked against a route's schemas (what @RouteInput() hands the
 * handler; tests call it to drive a handler with exactly what Nest would pass).
 */
export function parseRouteInput<T extends RouteSpec>(
  route: T,
  request: { params?: unknown; query?: unknown; body?: unknown },
): RouteInput<T> {
  const code = route.invalidInputCode ?? {};
  return {
    params: route.params ? parseBody(route.params, request.params, code.params) : (request.params ?? {}),
    query: route.query ? parseBody(route.query, request.query, code.query) : (request.query ?? {}),
    body: route.body ? parseBody(route.body, request.body, code.body) : undefined,
  } as RouteInput<T>;
}
