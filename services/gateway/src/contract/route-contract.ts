import type { z } from './zod-openapi';

type ZodTypeAny = z.ZodTypeAny;

/** Who may call a route: the gateway's guard reads this (public, pending users too, signed in, admins). */
export type RouteAuth = 'public' | 'pending' | 'user' | 'admin';

/** `all` is a pass-through (every method); the document lists it under get, post, put, patch and delete. */
export type RouteMethod = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'all';

export interface RouteResponse {
  description: string;
  /** The JSON body; omitted for a body that is not JSON (a stream) or not described (a pass-through). */
  schema?: ZodTypeAny;
  /** Defaults to application/json. */
  contentType?: string;
  /** Response headers, by name, with what they carry (e.g. the page size of a list). */
  headers?: Record<string, string>;
}

type ObjectSchema = z.AnyZodObject | z.ZodEffects<z.AnyZodObject, unknown, unknown>;

/**
 * One REST route, declared once: Nest's routing, the validation of params/query/body, the guard's role
 * check, the handler's result type and /openapi.json (and so the web app's types) all come from it.
 */
export interface RouteSpec {
  method: RouteMethod;
  /** OpenAPI form (`/api/v1/chats/{id}`); with `rest`, the last parameter takes the rest of the path. */
  path: string;
  rest?: boolean;
  summary: string;
  description?: string;
  tags: readonly string[];
  auth: RouteAuth;
  params?: ObjectSchema;
  query?: ObjectSchema;
  /** The JSON body; `z.unknown()` for a body passed on as it is. */
  body?: ZodTypeAny;
  /** The success status (200 unless given) must be one of these. */
  responses: Readonly<Record<number, RouteResponse>>;
  /** The code of a 400 for bad params/query/body: INVALID_INPUT unless the route answered another before. */
  invalidInputCode?: Partial<Record<'params' | 'query' | 'body', string>>;
  /** Defaults to 200 (Nest would answer POST with 201; Open WebUI answers 200). */
  status?: number;
}

export type RouteContract<T extends RouteSpec = RouteSpec> = T & { readonly kind: 'route' };

/** Declares a route; the type keeps every schema's exact type for RouteInput and RouteResult. */
export function defineRoute<const T extends RouteSpec>(spec: T): RouteContract<T> {
  return { ...spec, kind: 'route' };
}

/** Declares a feature's routes (an object of defineRoute results), so the document can list them. */
export function defineRoutes<const T extends Record<string, RouteContract>>(routes: T): T {
  return routes;
}

type Parsed<S> = S extends ZodTypeAny ? z.output<S> : Record<string, string>;

/** What the @RouteInput() parameter holds: params, query and body after validation. */
export interface RouteInput<T extends RouteSpec> {
  params: Parsed<T['params']>;
  query: Parsed<T['query']>;
  body: T['body'] extends ZodTypeAny ? z.output<T['body']> : undefined;
}

type SuccessStatus<T extends RouteSpec> = T['status'] extends number ? T['status'] : 200;

/** The JSON a handler answers with: its success response's schema, as the type the handler returns. */
export type RouteResult<T extends RouteSpec> = T['responses'][SuccessStatus<T>] extends {
  schema: infer S extends ZodTypeAny;
}
  ? z.input<S>
  : void;
