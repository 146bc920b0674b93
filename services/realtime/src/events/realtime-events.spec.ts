import {
  chatEventSchema,
  completionDeltaSchema,
  resumeRequestSchema,
  toChatCompletionEvent,
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

describe('realtime event schemas (v1)', () => {
  it('accepts the completion delta contract and turns it into chat:completion with content', () => {
    const parsed = completionDeltaSchema.parse({ ...delta, seq: 3, done: true, error: 'Upstream failed.' });
    expect(toChatCompletionEvent(parsed)).toEqual({
      v: 1,
      chat_id: 'c1',
      message_id: 'm1',
      seq: 3,
      content: 'Hel',
      done: true,
      error: 'Upstream failed.',
    });
    expect(toChatCompletionEvent(completionDeltaSchema.parse(delta))).not.toHaveProperty('error');
  });

  it('rejects a delta that breaks the contract: seq from 1, v1, every field present', () => {
    for (const bad of [
      { ...delta, seq: 0 },
      { ...delta, seq: 1.5 },
      { ...delta, v: 2 },
      { ...delta, user_id: '' },
      { ...delta, done: 'yes' },
      { ...delta, delta: undefined },
    ]) {
      expect(completionDeltaSchema.safeParse(bad).success).toBe(false);
    }
  });

  it('takes a chat event for one chat or for all of a user’s chats, and refuses one without a user', () => {
    expect(chatEventSchema.safeParse({ v: 1, chat: { id: 'c1', user_id: 'u1', title: 't' } }).success).toBe(
      true,
    );
    expect(chatEventSchema.safeParse({ v: 1, chat: { id: null, user_id: 'u1' }, all: true }).success).toBe(
      true,
    );
    expect(chatEventSchema.safeParse({ v: 1, chat: { id: 'c1' } }).success).toBe(false);
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
});
