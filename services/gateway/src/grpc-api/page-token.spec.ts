import { DomainError, ErrorKind } from '@parley/errors';
import { collectPage, encodePageToken, MAX_PAGE_SIZE } from './page-token';

/** An internal list of `total` items paged by `size`, recording which pages were asked for. */
function internalList(total: number, size: number) {
  const items = Array.from({ length: total }, (_, i) => i);
  const asked: number[] = [];
  const fetchPage = async (page: number) => {
    asked.push(page);
    return { chats: items.slice((page - 1) * size, page * size), pageSize: size };
  };
  return { fetchPage, asked };
}

async function walk(total: number, internalSize: number, pageSize: number) {
  const list = internalList(total, internalSize);
  const seen: number[] = [];
  let token = '';
  for (let pages = 0; pages < 100; pages++) {
    const page = await collectPage({ pageSize, pageToken: token }, 'list', list.fetchPage);
    expect(page.items.length).toBeLessThanOrEqual(pageSize);
    seen.push(...page.items);
    token = page.nextPageToken;
    if (!token) break;
  }
  return seen;
}

describe('collectPage', () => {
  it.each([
    [0, 10, 3],
    [7, 10, 3],
    [10, 10, 5],
    [25, 10, 10],
    [25, 10, 7],
    [3, 2, 50],
  ])(
    'walks %i items (internal pages of %i) in pages of %i, each once and in order',
    async (total, n, size) => {
      expect(await walk(total, n, size)).toEqual(Array.from({ length: total }, (_, i) => i));
    },
  );

  it('says there is no next page when the last page is exactly full', async () => {
    const { fetchPage } = internalList(4, 2);
    const page = await collectPage({ pageSize: 4, pageToken: '' }, 'list', fetchPage);
    expect(page).toEqual({ items: [0, 1, 2, 3], nextPageToken: '' });
  });

  it('caps the page size and defaults an unset one', async () => {
    const { fetchPage } = internalList(1000, 50);
    expect((await collectPage({ pageSize: 10_000, pageToken: '' }, 'list', fetchPage)).items).toHaveLength(
      MAX_PAGE_SIZE,
    );
    expect((await collectPage({ pageSize: 0, pageToken: '' }, 'list', fetchPage)).items).toHaveLength(50);
  });

  it('starts at the internal page the token points into', async () => {
    const list = internalList(100, 10);
    const page = await collectPage(
      { pageSize: 3, pageToken: encodePageToken(42, 10, 'list') },
      'list',
      list.fetchPage,
    );
    expect(page.items).toEqual([42, 43, 44]);
    expect(list.asked).toEqual([5]);
  });

  it.each([
    ['garbage', 'not a token'],
    ['another scope', encodePageToken(3, 10, 'search:other')],
    ['a zero offset', encodePageToken(0, 10, 'list')],
    ['a huge offset', encodePageToken(10_000_000, 10, 'list')],
    [
      'a fractional offset',
      Buffer.from(JSON.stringify({ v: 1, o: 1.5, n: 10, s: 'x' })).toString('base64url'),
    ],
  ])('refuses %s as INVALID_ARGUMENT naming page_token', async (_what, pageToken) => {
    const { fetchPage, asked } = internalList(10, 5);
    const failure = await collectPage({ pageSize: 2, pageToken }, 'list', fetchPage).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DomainError);
    expect(failure).toMatchObject({ kind: ErrorKind.InvalidArgument, code: 'INVALID_INPUT' });
    expect((failure as Error).message).toMatch(/^page_token: /);
    expect(asked).toEqual([]);
  });

  it('refuses a negative page size', async () => {
    const { fetchPage } = internalList(10, 5);
    await expect(collectPage({ pageSize: -1, pageToken: '' }, 'list', fetchPage)).rejects.toThrow(
      /page_size/,
    );
  });
});
