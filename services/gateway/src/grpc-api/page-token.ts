import { createHash } from 'node:crypto';
import { invalidArgument } from './request-checks';

/** What a list page asks for (AIP-158): a size, and where the previous page ended. */
export interface PageRequest {
  pageSize: number;
  pageToken: string;
}

/** One page of an internal list that pages by a fixed size (1-based page numbers). */
export interface InternalPage<T> {
  chats: T[];
  /** How many a full page holds; 0 when the list is not paged. */
  pageSize: number;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
/** Offsets beyond this are refused: nobody pages that far, and a forged token must stay cheap. */
const MAX_OFFSET = 1_000_000;

/**
 * Page tokens are opaque to clients: the offset reached, the internal page size seen, and a digest of
 * the query they belong to (a token of one search is refused for another). They are not signed: a forged
 * token can only move the caller's own window over their own list.
 */
export function encodePageToken(offset: number, internalSize: number, scope: string): string {
  return Buffer.from(JSON.stringify({ v: 1, o: offset, n: internalSize, s: scopeDigest(scope) })).toString(
    'base64url',
  );
}

function decodePageToken(token: string, scope: string): { offset: number; internalSize: number } {
  if (!token) return { offset: 0, internalSize: 0 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const value = parsed as { v?: unknown; o?: unknown; n?: unknown; s?: unknown } | undefined;
  const valid =
    token.length <= 200 &&
    value?.v === 1 &&
    Number.isInteger(value.o) &&
    (value.o as number) > 0 &&
    (value.o as number) <= MAX_OFFSET &&
    Number.isInteger(value.n) &&
    (value.n as number) > 0 &&
    (value.n as number) <= 10_000 &&
    value.s === scopeDigest(scope);
  if (!valid)
    throw invalidArgument(
      'page_token',
      'is not a next_page_token of this list (tokens belong to the request they came with)',
    );
  return { offset: value.o as number, internalSize: value.n as number };
}

function scopeDigest(scope: string): string {
  return createHash('sha256').update(scope).digest('base64url').slice(0, 12);
}

/**
 * A page of `pageSize` items starting where the token says, gathered from an internal list with its own
 * fixed page size, plus the token of the next page (empty on the last).
 */
export async function collectPage<T>(
  request: PageRequest,
  scope: string,
  fetchPage: (page: number) => Promise<InternalPage<T>>,
): Promise<{ items: T[]; nextPageToken: string }> {
  if (request.pageSize < 0) throw invalidArgument('page_size', 'must not be negative');
  const size = Math.min(request.pageSize || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const { offset, internalSize } = decodePageToken(request.pageToken, scope);
  let page = internalSize ? Math.floor(offset / internalSize) + 1 : 1;
  let skip = internalSize ? offset % internalSize : 0;
  const items: T[] = [];
  let seenSize = internalSize;
  // One item more than asked for says whether there is a next page. Bounded: every round adds a full
  // internal page or ends the list.
  for (;;) {
    const reply = await fetchPage(page);
    seenSize = reply.pageSize;
    items.push(...reply.chats.slice(skip));
    skip = 0;
    const last = reply.pageSize <= 0 || reply.chats.length < reply.pageSize;
    if (last || items.length > size) break;
    page++;
  }
  const more = items.length > size && seenSize > 0;
  return {
    items: items.slice(0, size),
    nextPageToken: more ? encodePageToken(offset + size, seenSize, scope) : '',
  };
}
