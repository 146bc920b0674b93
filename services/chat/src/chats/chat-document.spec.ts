import { DomainError, ErrorKind } from '@parley/errors';
import { buildChatDocument, parseChatDocument } from './chat-document';

const limits = { maxBytes: 100_000, maxMessages: 100 };

describe('chat documents', () => {
  it('keeps unknown top-level and per-message fields through a parse and build', () => {
    const raw = {
      title: 'T',
      models: ['m'],
      params: { seed: 1 },
      system: 'be brief',
      history: {
        currentId: 'b',
        messages: {
          a: {
            id: 'a',
            parentId: null,
            childrenIds: ['b'],
            role: 'user',
            content: 'q',
            timestamp: 1,
            files: [{ id: 'f' }],
          },
          b: {
            id: 'b',
            parentId: 'a',
            childrenIds: [],
            role: 'assistant',
            content: 'r',
            model: 'm',
            timestamp: 2,
            sources: [],
          },
        },
      },
    };
    const parsed = parseChatDocument(JSON.stringify(raw), limits);
    const built = buildChatDocument({ ...parsed, title: 'T' }, parsed.messages);
    expect(built.history).toEqual(raw.history);
    expect(built).toMatchObject({ system: 'be brief', models: ['m'], params: { seed: 1 } });
    expect(built.messages.map((m) => m.id)).toEqual(['a', 'b']);
  });

  it('orders parents before children whatever order the map has', () => {
    const parsed = parseChatDocument(
      JSON.stringify({
        history: {
          messages: {
            c: { parentId: 'b', role: 'user' },
            b: { parentId: 'a', role: 'assistant' },
            a: { parentId: null, role: 'user' },
          },
        },
      }),
      limits,
    );
    expect(parsed.messages.map((m) => m.id)).toEqual(['a', 'b', 'c']);
  });

  it.each([
    ['a cycle', { history: { messages: { a: { parentId: 'b' }, b: { parentId: 'a' } } } }, 'cycle'],
    [
      'a missing parent',
      { history: { messages: { a: { parentId: 'zz' } } } },
      'parent that is not in the chat',
    ],
    ['an array', [], 'must be a JSON object'],
    ['a message that is not an object', { history: { messages: { a: 'text' } } }, 'is not an object'],
  ])('rejects %s', (_name, doc, message) => {
    expect(() => parseChatDocument(JSON.stringify(doc), limits)).toThrow(message);
  });

  it('rejects documents over the size and message limits with the limit in the message', () => {
    const big = () =>
      parseChatDocument(JSON.stringify({ pad: 'x'.repeat(200) }), { maxBytes: 100, maxMessages: 10 });
    expect(big).toThrow(
      new DomainError(ErrorKind.PayloadTooLarge, 'The chat is larger than the limit of 100 bytes.'),
    );
    const messages = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`m${i}`, { parentId: null }]));
    expect(() =>
      parseChatDocument(JSON.stringify({ history: { messages } }), { maxBytes: 1e6, maxMessages: 10 }),
    ).toThrow('A chat may hold at most 10 messages.');
  });

  it('ignores a currentId that names no message', () => {
    const parsed = parseChatDocument(
      JSON.stringify({ history: { currentId: 'ghost', messages: {} } }),
      limits,
    );
    expect(parsed.currentMessageId).toBeNull();
  });
});
