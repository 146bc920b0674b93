import { createHash } from 'node:crypto';
import { DomainError, ErrorKind, describeUnsafeInput } from '@parley/errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function requireUserId(userId: string): void {
  if (!UUID.test(userId)) throw new DomainError(ErrorKind.InvalidArgument, 'user_id must be a user id.');
}

/** A stable uuid (version 8 layout) derived from a name, so an import can be repeated without copies. */
export function uuidFromName(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function parseJsonObject(raw: string, what: string): Record<string, unknown> {
  if (!raw) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new DomainError(ErrorKind.InvalidArgument, `${what} is not valid JSON.`);
  }
  const problem = describeUnsafeInput(value, { root: what });
  if (problem) throw new DomainError(ErrorKind.InvalidArgument, `Invalid JSON: ${problem}.`);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DomainError(ErrorKind.InvalidArgument, `${what} must be a JSON object.`);
  return value as Record<string, unknown>;
}
