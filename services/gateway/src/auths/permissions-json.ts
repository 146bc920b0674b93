import { z } from '../contract/zod-openapi';

/**
 * Permissions travel flat inside Parley (`chat.delete`, as the auth service and caller assertions
 * keep them) and nested in Open WebUI's REST shape (`{ chat: { delete: true } }`, its
 * DEFAULT_USER_PERMISSIONS). These turn one into the other at the edge.
 */
export type NestedPermissions = Record<string, boolean | Record<string, unknown>>;

/** A name that would reach an object's prototype instead of a property of its own. */
const UNSAFE_NAME = /^__.*__$/;

/**
 * Open WebUI's nested shape of flat flags: `chat.delete` becomes `permissions.chat.delete`. A flag with
 * a part such as `__proto__` is left out: it could not be a permission, and would reach the prototype.
 */
export function nestPermissions(flat: Record<string, boolean>): NestedPermissions {
  const nested: Record<string, unknown> = {};
  for (const [flag, value] of Object.entries(flat)) {
    const parts = flag.split('.');
    if (parts.some((part) => UNSAFE_NAME.test(part))) continue;
    let node = nested;
    for (const part of parts.slice(0, -1)) {
      const next = Object.hasOwn(node, part) ? node[part] : undefined;
      node = (typeof next === 'object' && next !== null ? next : (node[part] = {})) as Record<
        string,
        unknown
      >;
    }
    node[parts[parts.length - 1]!] = value;
  }
  return nested as NestedPermissions;
}

const MAX_DEPTH = 4;

/**
 * Flat flags from what a client sends: Open WebUI's nested object, Parley's flat names, or both mixed
 * (`{ chat: { delete: true }, 'workspace.models': true }`). Every leaf must be true or false.
 */
export function flattenPermissions(
  input: Record<string, unknown>,
  onProblem: (path: string[], message: string) => void,
): Record<string, boolean> {
  const flat: Record<string, boolean> = {};
  const walk = (value: unknown, path: string[]) => {
    if (UNSAFE_NAME.test(path[path.length - 1]!)) onProblem(path, 'is not a permission name');
    else if (typeof value === 'boolean') flat[path.join('.')] = value;
    else if (typeof value === 'object' && value !== null && !Array.isArray(value) && path.length < MAX_DEPTH)
      for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
    else onProblem(path, 'must be true or false (or an object of them, as Open WebUI nests them)');
  };
  for (const [key, value] of Object.entries(input)) walk(value, [key]);
  return flat;
}

/** A request's `permissions`: nested or flat, checked leaf by leaf, parsed into flat flags. */
export const permissionsInput = z
  .record(z.unknown(), { invalid_type_error: 'must be an object' })
  .transform((value, ctx) =>
    flattenPermissions(value, (path, message) => ctx.addIssue({ code: 'custom', path, message })),
  )
  .openapi('PermissionsInput', {
    description:
      'Open WebUI\'s nested shape (`{"chat": {"delete": true}}`); flat names (`{"chat.delete": true}`) are accepted too.',
    type: 'object',
    additionalProperties: { anyOf: [{ type: 'boolean' }, { type: 'object', additionalProperties: {} }] },
  });

/** Permissions in answers: Open WebUI's nested shape. */
export const permissionsOutput = z
  .record(z.union([z.boolean(), z.record(z.unknown())]))
  .openapi('Permissions', {
    description: 'Open WebUI\'s nested shape: `{"chat": {"delete": true}, "workspace": {"models": false}}`.',
  });
