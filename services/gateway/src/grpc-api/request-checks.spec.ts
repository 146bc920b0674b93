import { DomainError, ErrorKind } from '@parley/errors';
import { invalidArgument, namingField } from './request-checks';

const refusal = (fn: () => never): DomainError => {
  try {
    fn();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('nothing was thrown');
};

describe('request checks', () => {
  it('names the field of an invalid argument as its BadRequest field violation', () => {
    expect(invalidArgument('messages[0].role', 'is required')).toMatchObject({
      kind: ErrorKind.InvalidArgument,
      message: 'messages[0].role: is required',
      code: 'INVALID_INPUT',
      extra: { fieldViolations: [{ field: 'messages[0].role', description: 'is required' }] },
    });
  });

  it('adds the public field to a refusal from behind the gateway, keeping its code, and only for its codes', () => {
    const token = new DomainError(ErrorKind.InvalidArgument, 'page_token is not one this service gave out.', {
      code: 'INVALID_PAGE_TOKEN',
    });
    expect(refusal(() => namingField('page_token')(token))).toMatchObject({
      code: 'INVALID_PAGE_TOKEN',
      message: token.message,
      extra: { fieldViolations: [{ field: 'page_token', description: token.message }] },
    });
    const empty = new DomainError(ErrorKind.InvalidArgument, 'The file is empty.', { code: 'FILE_EMPTY' });
    expect(refusal(() => namingField('metadata.filename', ['FILE_EXTENSION_NOT_ALLOWED'])(empty))).toBe(
      empty,
    );
    const missing = new DomainError(ErrorKind.NotFound, 'gone');
    expect(refusal(() => namingField('page_token')(missing))).toBe(missing);
  });
});
