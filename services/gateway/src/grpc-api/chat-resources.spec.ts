import { apiV1Chats, chatV1 } from '@parley/proto';
import { create } from '@bufbuild/protobuf';
import { chatResource, currentThread, messageResource } from './chat-resources';

const document = (messages: Record<string, Record<string, unknown>>, currentId: string | null) =>
  JSON.stringify({ history: { messages, currentId } });

describe('chat resources', () => {
  it('gives the current thread root first, leaving other branches out', () => {
    const doc = JSON.parse(
      document(
        {
          q: { parentId: null, role: 'user', content: 'Q' },
          a1: { parentId: 'q', role: 'assistant', content: 'first', done: true },
          a2: { parentId: 'q', role: 'assistant', content: 'second', done: false },
        },
        'a2',
      ),
    );
    expect(currentThread(doc).map((m) => m.id)).toEqual(['q', 'a2']);
    const chat = chatResource(
      create(chatV1.ChatSchema, { id: 'c1', title: 'T', chatJson: JSON.stringify(doc), createdAt: 5n }),
      true,
    );
    expect(chat).toMatchObject({ name: 'chats/c1', id: 'c1', createTime: 5n, currentMessageId: 'a2' });
    expect(chat.messages!.map((m) => [m.role, m.content, m.done])).toEqual([
      [apiV1Chats.Role.USER, 'Q', true],
      [apiV1Chats.Role.ASSISTANT, 'second', false],
    ]);
  });

  it('ends the walk on a cycle or a missing parent, and reads odd documents as empty', () => {
    const cyclic = JSON.parse(
      document({ x: { parentId: 'y', content: 'x' }, y: { parentId: 'x', content: 'y' } }, 'x'),
    );
    expect(currentThread(cyclic).map((m) => m.id)).toEqual(['y', 'x']);
    expect(currentThread(JSON.parse(document({ x: { parentId: 'gone' } }, 'x')))).toHaveLength(1);
    expect(currentThread(JSON.parse(document({}, '__proto__')))).toEqual([]);
    for (const chatJson of ['', 'not json', '[]', '{"history":{"messages":null,"currentId":7}}'])
      expect(chatResource(create(chatV1.ChatSchema, { id: 'c', chatJson }), true).messages).toEqual([]);
  });

  it('maps roles, errors and timestamps defensively', () => {
    expect(messageResource({ role: 'tool', error: { content: 'boom' }, timestamp: 1.5 })).toMatchObject({
      role: apiV1Chats.Role.UNSPECIFIED,
      error: 'boom',
      createTime: 0n,
    });
    expect(messageResource({ role: 'system', error: 'plain', timestamp: 9 })).toMatchObject({
      role: apiV1Chats.Role.SYSTEM,
      error: 'plain',
      createTime: 9n,
    });
  });
});
