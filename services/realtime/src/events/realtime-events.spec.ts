import { decodeEvent, encodeEvent, EVENTS } from '@parley/nats';
import {
  chatInBounds,
  deltaInBounds,
  fileStatusInBounds,
  knowledgeStatusInBounds,
  resumeRequestSchema,
  SOCKET_EVENTS,
  taskInBounds,
  toChatCompletionEvent,
  toFileIndexStatusEvent,
} from './realtime-events';

const delta = {
  v: 1,
  user_id: 'u1',
  chat_id: 'c1',
  message_id: 'm1',
  seq: 1,
  delta: 'Hel',
  done: false,
};
const read = (payload: unknown) => decodeEvent(EVENTS.completionDelta, payload);

describe('realtime events (v1)', () => {
  it('turns a completion delta into chat:completion with content, in the JSON form clients read', () => {
    const parsed = read({ ...delta, seq: 3, done: true, error: 'Upstream failed.' });
    expect(encodeEvent(SOCKET_EVENTS.chatCompletion, toChatCompletionEvent(parsed))).toEqual({
      v: 1,
      chat_id: 'c1',
      message_id: 'm1',
      seq: 3,
      content: 'Hel',
      done: true,
      error: 'Upstream failed.',
    });
    expect(encodeEvent(SOCKET_EVENTS.chatCompletion, toChatCompletionEvent(read(delta)))).not.toHaveProperty(
      'error',
    );
  });

  it('passes the first delta’s sources on to chat:completion as they came, and no empty list', () => {
    const sources = [
      {
        source: { type: 'collection', id: 'kb1', name: 'Handbook' },
        document: ['The office opens at nine.'],
        metadata: [{ file_id: 'f1', name: 'handbook.pdf', page: 2, score: 0.8 }],
        distances: [0.8],
      },
    ];
    const event = encodeEvent(
      SOCKET_EVENTS.chatCompletion,
      toChatCompletionEvent(read({ ...delta, sources })),
    );
    expect(event).toMatchObject({ seq: 1, content: 'Hel', sources });
    const empty = encodeEvent(
      SOCKET_EVENTS.chatCompletion,
      toChatCompletionEvent(read({ ...delta, sources: [] })),
    );
    expect(empty).not.toHaveProperty('sources');
  });

  it('keeps a delta out that breaks the bounds: seq from 1, every id present, text not too long', () => {
    expect(deltaInBounds(read(delta))).toBe(true);
    for (const bad of [
      { ...delta, seq: 0 },
      { ...delta, seq: 1_000_001 },
      { ...delta, user_id: '' },
      { ...delta, chat_id: 'x'.repeat(201) },
      { ...delta, delta: 'x'.repeat(1_000_001) },
      { ...delta, error: 'x'.repeat(10_001) },
    ]) {
      expect(deltaInBounds(read(bad))).toBe(false);
    }
  });

  it('takes a chat event for one chat or for all of a user’s chats, and refuses one without a user', () => {
    expect(
      chatInBounds(decodeEvent(EVENTS.chatUpdated, { v: 1, chat: { id: 'c1', user_id: 'u1' } }).chat),
    ).toBe(true);
    expect(
      chatInBounds(decodeEvent(EVENTS.chatDeleted, { v: 1, chat: { user_id: 'u1' }, all: true }).chat),
    ).toBe(true);
    expect(chatInBounds(decodeEvent(EVENTS.chatUpdated, { v: 1, chat: { id: 'c1' } }).chat)).toBe(false);
    expect(
      chatInBounds(decodeEvent(EVENTS.chatUpdated, { v: 1, chat: { id: '', user_id: 'u1' } }).chat),
    ).toBe(false);
    expect(chatInBounds(decodeEvent(EVENTS.chatUpdated, { v: 1 }).chat)).toBe(false);
  });

  it('takes a task event with its ids in bounds', () => {
    const task = { id: 't1', user_id: 'u1', chat_id: 'c1', model_id: 'llama3' };
    expect(taskInBounds(decodeEvent(EVENTS.taskStarted, { v: 1, task }).task)).toBe(true);
    expect(taskInBounds(decodeEvent(EVENTS.taskStarted, { v: 1, task: { ...task, user_id: '' } }).task)).toBe(
      false,
    );
    expect(
      taskInBounds(
        decodeEvent(EVENTS.taskStarted, { v: 1, task: { ...task, model_id: 'm'.repeat(201) } }).task,
      ),
    ).toBe(false);
  });

  it('passes a chat event on as the same JSON, without null ids (absent instead)', () => {
    const payload = { v: 1, chat: { user_id: 'u1' }, all: true, change: 'archived' };
    expect(encodeEvent(SOCKET_EVENTS.chatUpdated, decodeEvent(EVENTS.chatUpdated, payload))).toEqual(payload);
    const one = {
      v: 1,
      chat: {
        id: 'c1',
        user_id: 'u1',
        title: 't',
        created_at: 1,
        updated_at: 2,
        pinned: false,
        archived: true,
      },
      change: 'archived',
    };
    expect(encodeEvent(SOCKET_EVENTS.chatUpdated, decodeEvent(EVENTS.chatUpdated, one))).toEqual(one);
  });

  it('reads both forms of a resume request, with after_seq 0 by default', () => {
    expect(resumeRequestSchema.parse({ message_id: 'm1', after_seq: 4 })).toEqual({
      message_id: 'm1',
      after_seq: 4,
    });
    expect(resumeRequestSchema.parse({ streams: [{ message_id: 'm1' }] })).toEqual({
      streams: [{ message_id: 'm1', after_seq: 0 }],
    });
    expect(resumeRequestSchema.safeParse({ message_id: 'm1', after_seq: -1 }).success).toBe(false);
    expect(
      resumeRequestSchema.safeParse({ streams: Array.from({ length: 101 }, () => ({ message_id: 'm' })) })
        .success,
    ).toBe(false);
  });

  it('sends indexing progress as file:status with stage "index", the retrieval event’s fields kept', () => {
    const indexed = decodeEvent(EVENTS.fileIndexStatus, {
      v: 1,
      file_id: 'f1',
      user_id: 'u1',
      state: 'FILE_INDEX_STATE_INDEXED',
      chunk_count: 3,
      error: '',
    });
    expect(fileStatusInBounds(indexed)).toBe(true);
    expect(encodeEvent(SOCKET_EVENTS.fileIndexStatus, toFileIndexStatusEvent(indexed))).toEqual({
      v: 1,
      file_id: 'f1',
      user_id: 'u1',
      state: 'FILE_INDEX_STATE_INDEXED',
      chunk_count: 3,
      error: '',
      stage: 'index',
    });
    expect(SOCKET_EVENTS.fileIndexStatus.subject).toBe(SOCKET_EVENTS.fileStatus.subject);
    expect(fileStatusInBounds({ ...indexed, userId: '' })).toBe(false);
    expect(fileStatusInBounds({ ...indexed, error: 'x'.repeat(10_001) })).toBe(false);
  });

  it('passes knowledge:status only with its owner, base and counts in bounds', () => {
    const status = decodeEvent(EVENTS.knowledgeStatus, {
      v: 1,
      knowledge_base_id: 'k1',
      user_id: 'u1',
      file_id: '',
      files_total: 2,
      files_indexed: 1,
    });
    expect(knowledgeStatusInBounds(status)).toBe(true);
    expect(encodeEvent(SOCKET_EVENTS.knowledgeStatus, status)).toMatchObject({
      knowledge_base_id: 'k1',
      files_indexed: 1,
      files_failed: 0,
    });
    expect(knowledgeStatusInBounds({ ...status, knowledgeBaseId: '' })).toBe(false);
    expect(knowledgeStatusInBounds({ ...status, fileId: 'f'.repeat(201) })).toBe(false);
    expect(knowledgeStatusInBounds({ ...status, filesTotal: -1 })).toBe(false);
  });
});
