import { DomainError, ErrorKind } from '@parley/errors';

/**
 * An invalid request field, named the way the proto names it (`page_token`, `messages[2].role`): in the
 * message, and as the google.rpc.BadRequest field violation of the status details.
 */
export function invalidArgument(field: string, problem: string): DomainError {
  return new DomainError(ErrorKind.InvalidArgument, `${field}: ${problem}`, {
    code: 'INVALID_INPUT',
    fieldViolations: [{ field, description: problem }],
  });
}

/** A required text field: present, and at most `max` characters. */
export function requireText(field: string, value: string, max = 1000): string {
  if (!value) throw invalidArgument(field, 'is required');
  return limitText(field, value, max);
}

export function limitText(field: string, value: string, max: number): string {
  if (value.length > max) throw invalidArgument(field, `must be at most ${max} characters`);
  return value;
}

/**
 * A refusal of a field by the service behind the gateway (its own code, such as INVALID_PAGE_TOKEN,
 * kept) with the public field named as its BadRequest violation; with `codes`, only refusals with one
 * of those codes are about that field.
 */
export function namingField(field: string, codes?: readonly string[]): (error: unknown) => never {
  return (error) => {
    if (
      error instanceof DomainError &&
      error.kind === ErrorKind.InvalidArgument &&
      (!codes || codes.includes(error.code))
    )
      throw new DomainError(error.kind, error.message, {
        ...error.extra,
        code: error.code,
        fieldViolations: [{ field, description: error.message }],
      });
    throw error;
  };
}
