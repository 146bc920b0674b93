/**
 * The checks every edge applies to decoded input before any feature sees it (HTTP bodies, Socket.IO event
 * payloads, gRPC requests): no NUL characters (PostgreSQL refuses them in text), no lone UTF-16
 * surrogates (not valid Unicode: they break UTF-8 encoders, PostgreSQL JSON and gRPC status text), and no
 * nesting deeper than a small limit (deep JSON overflows recursive code further in).
 *
 * The walk is iterative, so a value nested a million deep is refused without using the stack.
 */
export const DEFAULT_MAX_INPUT_DEPTH = 64;

export interface UnsafeInputOptions {
  /** Deepest nesting of objects and arrays allowed; the top-level value is depth 1. */
  maxDepth?: number;
  /** Name of the value in the message, e.g. "body" or "payload". */
  root?: string;
}

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const UNSAFE_CHARACTER = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Says what is wrong with a string, or undefined when it is safe. */
export function describeUnsafeString(text: string): string | undefined {
  const match = UNSAFE_CHARACTER.exec(text);
  if (!match) return undefined;
  return match[0] === '\u0000'
    ? 'contains a NUL character (\\u0000), which is not allowed in text'
    : 'contains a lone UTF-16 surrogate, which is not valid Unicode';
}

/** The first unsafe part of a value: where it is (`body.messages.3.content`) and what is wrong there. */
export interface UnsafeInput {
  path: string;
  problem: string;
  /** The problem is in one of the keys of the object at `path`, not in a value. */
  inKey?: true;
}

/**
 * Walks a decoded value and says what is wrong with the first unsafe part, naming its path
 * (`body.messages.3.content contains a NUL character ...`), or returns undefined when all is safe.
 * Object keys are checked like values.
 */
export function describeUnsafeInput(value: unknown, options: UnsafeInputOptions = {}): string | undefined {
  const found = findUnsafeInput(value, options);
  if (!found) return undefined;
  return found.inKey ? `a key in ${found.path} ${found.problem}` : `${found.path} ${found.problem}`;
}

/** describeUnsafeInput's walk, with the path and the problem apart (for a field violation). */
export function findUnsafeInput(value: unknown, options: UnsafeInputOptions = {}): UnsafeInput | undefined {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_INPUT_DEPTH;
  const stack: Array<{ value: unknown; path: string; depth: number }> = [
    { value, path: options.root ?? 'body', depth: 1 },
  ];
  while (stack.length) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === 'string') {
      const problem = describeUnsafeString(current);
      if (problem) return { path, problem };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (ArrayBuffer.isView(current)) continue; // bytes fields carry no text
    if (depth > maxDepth) return { path, problem: `is nested deeper than the limit of ${maxDepth} levels` };
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--)
        stack.push({ value: current[i], path: `${path}.${i}`, depth: depth + 1 });
      continue;
    }
    for (const key of Object.keys(current)) {
      const problem = describeUnsafeString(key);
      if (problem) return { path, problem, inKey: true };
      stack.push({
        value: (current as Record<string, unknown>)[key],
        path: `${path}.${key}`,
        depth: depth + 1,
      });
    }
  }
  return undefined;
}

/**
 * Makes any text safe to send as a gRPC status message, an HTTP `detail` or a log line: lone surrogates
 * and NULs become U+FFFD and the text is cut to `maxLength` characters.
 */
export function toSafeText(text: string, maxLength = 1000): string {
  const wellFormed = text.replace(
    // eslint-disable-next-line no-control-regex -- replacing NUL is the point
    /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  );
  if (wellFormed.length <= maxLength) return wellFormed;
  // Do not cut a surrogate pair in half.
  let end = maxLength - 1;
  if (/[\uD800-\uDBFF]/.test(wellFormed[end - 1] ?? '')) end -= 1;
  return `${wellFormed.slice(0, end)}…`;
}

// Bearer tokens, OpenAI-style keys, JWTs and `key=value` secrets in URLs or text.
const SECRET_PATTERNS: RegExp[] = [
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\bsk-[A-Za-z0-9_-]{8,}/g,
  /\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*/g,
  /\b(api[_-]?key|access[_-]?token|token|password|secret)=[^&\s"']+/gi,
];

/**
 * toSafeText for text that leaves the service (a gRPC status, an HTTP detail): also hides anything shaped
 * like a credential, in case an upstream or library error echoed one.
 */
export function toSafeErrorText(text: string, maxLength = 1000): string {
  let redacted = text;
  for (const pattern of SECRET_PATTERNS)
    redacted = redacted.replace(pattern, (match, name: string | undefined) =>
      name && match.includes('=')
        ? `${name}=[redacted]`
        : name && /^(bearer|basic)$/i.test(name)
          ? `${name} [redacted]`
          : '[redacted]',
    );
  return toSafeText(redacted, maxLength);
}
