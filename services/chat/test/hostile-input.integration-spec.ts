import { randomUUID } from 'node:crypto';
import { DomainError, ErrorKind } from '@parley/errors';
import { as, Harness, startChatService } from './chat-service-harness';

/** Concurrent duplicate writes and unsafe text over real gRPC, against the real PostgreSQL. */
describe('chat service: hostile input and concurrent duplicates', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startChatService({ CHAT_IMPORT_MAX_CHATS: '5' });
  });

  afterAll(async () => {
    await h.stop();
  });

  async function failureOf(promise: Promise<unknown>): Promise<DomainError> {
    try {
      await promise;
    } catch (error) {
      return error as DomainError;
    }
    throw new Error('the call succeeded');
  }

  const item = (title: string) =>
    JSON.stringify({
      chat: {
        title,
        history: {
          currentId: 'm1',
          messages: { m1: { id: 'm1', parentId: null, role: 'user', content: 'hi', timestamp: 1 } },
        },
      },
      meta: { tags: ['t1'] },
    });

  it('answers two identical imports at once like a sequential re-import: both succeed, one chat', async () => {
    const userId = randomUUID();
    const items = [item('one'), item('two'), item('three')];
    const results = await Promise.all([
      h.chat.importChats({ itemsJson: items }, as(userId)),
      h.chat.importChats({ itemsJson: items }, as(userId)),
      h.chat.importChats({ itemsJson: items }, as(userId)),
    ]);
    const imported = results.reduce((n, r) => n + r.chats.length, 0);
    const skipped = results.reduce((n, r) => n + r.skipped, 0);
    expect(imported).toBe(3);
    expect(skipped).toBe(6);
    const listed = await h.chat.listChats({ page: 1 }, as(userId));
    expect(listed.chats.map((c) => c.title).sort()).toEqual(['one', 'three', 'two']);
  });

  it('refuses an import over the limit with a message that says to split it', async () => {
    const error = await failureOf(
      h.chat.importChats({ itemsJson: Array.from({ length: 6 }, (_, i) => item(`c${i}`)) }, as(randomUUID())),
    );
    expect(error.kind).toBe(ErrorKind.PayloadTooLarge);
    expect(error.message).toContain('at most 5 chats');
    expect(error.message).toContain('Split');
  });

  it('refuses escaped NULs, lone surrogates and deep nesting inside chat JSON before PostgreSQL', async () => {
    const userId = randomUUID();
    for (const chatJson of [
      '{"title":"a\\u0000b"}',
      '{"title":"x","history":{"messages":{"m":{"id":"m","role":"user","content":"\\ud800"}}}}',
      `{"title":"x","meta":${'['.repeat(2_000)}${']'.repeat(2_000)}}`,
    ]) {
      const error = await failureOf(h.chat.createChat({ chatJson }, as(userId)));
      expect(error.kind).toBe(ErrorKind.InvalidArgument);
    }
    const importError = await failureOf(
      h.chat.importChats({ itemsJson: ['{"chat":{"title":"\\udc00"}}'] }, as(userId)),
    );
    expect(importError.kind).toBe(ErrorKind.InvalidArgument);
    expect(importError.message).toContain('surrogate');
  });
});
