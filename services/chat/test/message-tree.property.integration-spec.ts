import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { as, ChatClient, Doc, docOf, Harness, startChatService } from './chat-service-harness';

type Step =
  | { kind: 'add'; pick: number; role: 'user' | 'assistant' }
  | { kind: 'edit'; pick: number }
  | { kind: 'regenerate'; pick: number }
  | { kind: 'switch'; pick: number }
  | { kind: 'delete'; pick: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('add' as const),
    pick: fc.nat(),
    role: fc.constantFrom('user' as const, 'assistant' as const),
  }),
  fc.record({ kind: fc.constant('edit' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('regenerate' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('switch' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
);

/** The invariants of Open WebUI's history after any sequence of operations. */
function checkTree(doc: Doc, expectedIds: Set<string>): void {
  const messages = doc.history.messages;
  const ids = Object.keys(messages);
  expect(new Set(ids)).toEqual(expectedIds);
  for (const message of Object.values(messages)) {
    // Nothing orphaned: every parent exists and lists the child exactly once.
    if (message.parentId !== null) {
      expect(messages[message.parentId]).toBeDefined();
      expect(messages[message.parentId]!.childrenIds.filter((c) => c === message.id)).toHaveLength(1);
    }
    for (const child of message.childrenIds) expect(messages[child]!.parentId).toBe(message.id);
  }
  if (ids.length === 0) {
    expect(doc.history.currentId).toBeNull();
    return;
  }
  // currentId is a leaf, and the shown branch runs from a root down to it.
  const current = messages[doc.history.currentId ?? ''];
  expect(current).toBeDefined();
  expect(current!.childrenIds).toEqual([]);
  const branch = doc.messages.map((m) => m.id);
  expect(branch[branch.length - 1]).toBe(current!.id);
  expect(messages[branch[0]!]!.parentId).toBeNull();
  for (let i = 1; i < branch.length; i++) expect(messages[branch[i]!]!.parentId).toBe(branch[i - 1]);
}

describe('the message tree under random operations (property-based, real PostgreSQL)', () => {
  let h: Harness;
  let chat: ChatClient;
  const user = randomUUID();

  beforeAll(async () => {
    h = await startChatService({ CHAT_MAX_MESSAGES: '100000' });
    chat = h.chat;
  });

  afterAll(() => h.stop());

  it('keeps every child listed by its parent, currentId a leaf of the shown branch and nothing orphaned', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
        const { chat: created } = await chat.createChat({ title: 'prop', chatJson: '{}' }, as(user));
        const chatId = created!.id;
        const expected = new Set<string>();
        // A model of which ids exist and who their parents are, to know what a delete removes.
        const parents = new Map<string, string | null>();
        const pickOf = (pick: number) => [...expected][pick % expected.size]!;
        for (const s of steps) {
          if (s.kind === 'add') {
            const parent = expected.size && s.pick % 4 !== 0 ? pickOf(s.pick) : null;
            const id = randomUUID();
            await chat.addMessage(
              {
                chatId,
                parentId: parent ?? '',
                messageJson: JSON.stringify({ id, role: s.role, content: 'x' }),
              },
              as(user),
            );
            expected.add(id);
            parents.set(id, parent);
          } else if (!expected.size) {
            continue;
          } else if (s.kind === 'edit') {
            const target = pickOf(s.pick);
            const id = randomUUID();
            await chat.editMessage(
              { chatId, messageId: target, content: 'edited', newMessageId: id },
              as(user),
            );
            expected.add(id);
            parents.set(id, parents.get(target) ?? null);
          } else if (s.kind === 'regenerate') {
            const target = pickOf(s.pick);
            const doc = docOf((await chat.getChat({ chatId }, as(user))).chat);
            if (doc.history.messages[target]!.role !== 'assistant') continue;
            const id = randomUUID();
            await chat.regenerateMessage(
              { chatId, messageId: target, model: '', newMessageId: id },
              as(user),
            );
            expected.add(id);
            parents.set(id, parents.get(target) ?? null);
          } else if (s.kind === 'switch') {
            await chat.switchBranch({ chatId, messageId: pickOf(s.pick) }, as(user));
          } else {
            const target = pickOf(s.pick);
            const gone = new Set([target]);
            let grew = true;
            while (grew) {
              grew = false;
              for (const [id, parent] of parents)
                if (parent && gone.has(parent) && !gone.has(id)) {
                  gone.add(id);
                  grew = true;
                }
            }
            const result = await chat.deleteMessage({ chatId, messageId: target }, as(user));
            expect(result.deleted).toBe(gone.size);
            for (const id of gone) {
              expected.delete(id);
              parents.delete(id);
            }
          }
          checkTree(docOf((await chat.getChat({ chatId }, as(user))).chat), expected);
        }
      }),
      { numRuns: 25 },
    );
  });
});
