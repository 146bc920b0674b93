import { DomainError, ErrorKind } from '@parley/errors';

/** File, source, knowledge base and user ids are UUIDs; any other string names nothing. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The files service's answer for a file the caller may not read, so both say the same. */
export const fileNotFound = () =>
  new DomainError(ErrorKind.NotFound, 'File not found.', { code: 'FILE_NOT_FOUND' });
