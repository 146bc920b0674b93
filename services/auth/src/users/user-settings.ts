import { describeUnsafeInput } from '@parley/errors';
import { invalid } from './user-rules';

/** The most a user's settings may take, as UTF-8 JSON. */
export const MAX_SETTINGS_BYTES = 64 * 1024;
/** Nesting deeper than this is not a settings object anyone writes by hand or by UI. */
const MAX_DEPTH = 16;

export type UserSettings = Record<string, unknown>;

/** Parses and checks the JSON a client sends as its settings (or its profile `info`): an object, at most 64 KiB, not absurdly deep. */
export function parseUserSettings(json: string, what: 'settings' | 'info' = 'settings'): UserSettings {
  if (Buffer.byteLength(json, 'utf8') > MAX_SETTINGS_BYTES)
    throw invalid(`The ${what} are larger than ${MAX_SETTINGS_BYTES / 1024} KiB.`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw invalid(`The ${what} are not valid JSON.`);
  }
  if (!isPlainObject(value)) throw invalid(`The ${what} must be a JSON object.`);
  const problem = describeUnsafeInput(value, { root: what, maxDepth: MAX_DEPTH + 1 });
  if (problem) throw invalid(`Invalid ${what}: ${problem}.`);
  if (depth(value) > MAX_DEPTH) throw invalid(`The ${what} are nested deeper than ${MAX_DEPTH} levels.`);
  return value;
}

/** What is stored, as an object even if the column somehow holds something else. */
export function storedSettings(value: unknown): UserSettings {
  return isPlainObject(value) ? value : {};
}

function isPlainObject(value: unknown): value is UserSettings {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function depth(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + children.reduce<number>((max, child) => Math.max(max, depth(child)), 0);
}
