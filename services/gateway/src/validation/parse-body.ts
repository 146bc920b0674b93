import { z } from '@parley/config';
import { DomainError, ErrorKind } from '@parley/errors';

/**
 * Validates a request body against a schema; the error names the field and what it needs. Its code is
 * INVALID_INPUT unless the route has long answered another (a route contract's `invalidInputCode`).
 */
export function parseBody<T extends z.ZodTypeAny>(
  schema: T,
  body: unknown,
  code = 'INVALID_INPUT',
): z.infer<T> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.') || 'body';
  const message =
    issue.code === 'invalid_type' && issue.received === 'undefined' ? 'is required' : issue.message;
  throw new DomainError(
    ErrorKind.InvalidArgument,
    `${field} ${message}`.replace(
      /^body (Expected object|Required)/,
      'The request body must be a JSON object',
    ),
    { code },
  );
}
