import { DomainError, ErrorKind } from '@parley/errors';

/** A request's free-form `meta_json`: a JSON object, `{}` when empty; anything else is INVALID_ARGUMENT. */
export function metaObjectOf(metaJson: string): Record<string, unknown> {
  if (!metaJson) return {};
  let meta: unknown;
  try {
    meta = JSON.parse(metaJson);
  } catch {
    meta = undefined;
  }
  if (!meta || typeof meta !== 'object' || Array.isArray(meta))
    throw new DomainError(ErrorKind.InvalidArgument, 'meta must be a JSON object.');
  return meta as Record<string, unknown>;
}
