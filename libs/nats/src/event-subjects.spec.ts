import { create, type DescMessage } from '@bufbuild/protobuf';
import { eventsV1 } from '@parley/proto';
import { decodeEvent, encodeEvent, EVENTS, EventShapeError } from './event-subjects';

describe('the event table (subject → message)', () => {
  it('writes the JSON form with snake_case names, implicit fields present and unset optionals left out', () => {
    const json = encodeEvent(EVENTS.completionDelta.at('m1'), {
      v: 1,
      userId: 'u1',
      chatId: 'c1',
      messageId: 'm1',
      seq: 1,
      delta: '',
      done: false,
    });
    expect(json).toEqual({
      v: 1,
      user_id: 'u1',
      chat_id: 'c1',
      message_id: 'm1',
      seq: 1,
      delta: '',
      done: false,
    });
    expect(encodeEvent(EVENTS.chatDeleted, { v: 1, chat: { userId: 'u1' }, all: true })).toEqual({
      v: 1,
      chat: { user_id: 'u1' },
      all: true,
    });
  });

  it('writes chat times as JSON numbers (whole seconds)', () => {
    const json = encodeEvent(EVENTS.chatCreated, {
      v: 1,
      chat: { id: 'c1', userId: 'u1', title: 't', createdAt: 1_700_000_000, updatedAt: 1_700_000_001 },
    }) as { chat: Record<string, unknown> };
    expect(json.chat['created_at']).toBe(1_700_000_000);
    expect(json.chat['updated_at']).toBe(1_700_000_001);
  });

  it('refuses a message of another schema on a subject', () => {
    const task = create(eventsV1.TaskEventSchema, { v: 1, task: { id: 't1', userId: 'u1' } });
    // @ts-expect-error: the compiler refuses it too; this is the check for untyped callers.
    expect(() => encodeEvent(EVENTS.chatCreated, task)).toThrow(EventShapeError);
  });

  it('reads a payload with fields it does not know (a newer producer) and keeps the ones it knows', () => {
    const delta = decodeEvent(EVENTS.completionDelta, {
      v: 1,
      user_id: 'u1',
      chat_id: 'c1',
      message_id: 'm1',
      seq: 2,
      delta: 'Hel',
      done: true,
      error: 'Upstream failed.',
      tokens: 17,
    });
    expect(delta).toMatchObject({
      messageId: 'm1',
      seq: 2,
      delta: 'Hel',
      done: true,
      error: 'Upstream failed.',
    });
  });

  it('refuses a payload of the wrong shape or another version', () => {
    for (const bad of [
      'not an object',
      { v: 1, seq: 'three' },
      { v: 1, seq: -1 },
      { v: 1, done: 'yes' },
      { v: 1, user_id: 42 },
      { v: 2, seq: 1 },
      { seq: 1 },
    ]) {
      expect(() => decodeEvent(EVENTS.completionDelta, bad)).toThrow(EventShapeError);
    }
  });

  it('names every member of a family by one token and finds the token in a subject', () => {
    expect(EVENTS.completionDelta.at('m1').subject).toBe('completion.m1');
    expect(EVENTS.completionDelta.pattern).toBe('completion.*');
    expect(EVENTS.completionDelta.tokenOf('completion.m1')).toBe('m1');
    expect(EVENTS.completionDelta.tokenOf('completion.m1.x')).toBeUndefined();
    expect(EVENTS.taskStop.at('eu').subject).toBe('model_gateway.eu.task.stop');
    expect(() => EVENTS.completionDelta.at('a.b')).toThrow();
    expect(() => EVENTS.completionDelta.at('*')).toThrow();
  });

  it('gives every field of every event its proto name as JSON name (the JSON form is snake_case)', () => {
    const messages = (Object.values(eventsV1) as unknown[]).filter(
      (value): value is DescMessage => (value as { kind?: unknown }).kind === 'message',
    );
    for (const message of messages) {
      for (const field of message.fields) {
        expect(`${message.typeName}.${field.jsonName}`).toBe(`${message.typeName}.${field.name}`);
      }
    }
    const seen = new Set(messages.map((m) => m.typeName));
    // File events (file_events.proto, fileEventsV1) do not set json_name yet; encodeEvent still writes
    // them snake_case (useProtoFieldName).
    for (const spec of Object.values(EVENTS))
      if (!spec.schema.typeName.startsWith('parley.events.v1.File'))
        expect(seen).toContain(spec.schema.typeName);
    expect(seen.size).toBeGreaterThan(10);
  });
});
