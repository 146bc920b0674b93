import { describe, expect, it, vi } from 'vitest';
import { completion } from '../testing/fake-chat';
import { CompletionStore, parseCompletionEvent } from './completion-assembler';

/** A payload as the socket delivers it, read the way the app reads it. */
const received = (payload: unknown) => parseCompletionEvent(payload)!;

describe('CompletionStore', () => {
  it('puts deltas together by seq, holding early ones and dropping repeats', () => {
    const store = new CompletionStore();
    store.apply(received(completion('c', 'a', 2, ' world')));
    expect(store.get('a')).toBeUndefined();
    store.apply(received(completion('c', 'a', 1, 'Hello')));
    store.apply(received(completion('c', 'a', 1, 'Hello')));
    store.apply(received(completion('c', 'a', 3, '!', true)));
    expect(store.get('a')).toMatchObject({ content: 'Hello world!', done: true, next: 4 });
  });

  it('keeps the error of the last delta and lists only unfinished answers for resuming', () => {
    const store = new CompletionStore();
    store.apply(received(completion('c', 'failed', 1, '', true, 'The model is unreachable.')));
    store.apply(received(completion('c', 'open', 1, 'Hi')));
    expect(store.get('failed')?.error).toBe('The model is unreachable.');
    expect(store.unfinished()).toEqual([{ message_id: 'open', after_seq: 1 }]);
  });

  it('tells subscribers only about changes', () => {
    const store = new CompletionStore();
    const listener = vi.fn();
    store.subscribe(listener);
    store.apply(received(completion('c', 'a', 1, 'x')));
    store.apply(received(completion('c', 'a', 1, 'x')));
    expect(listener).toHaveBeenCalledTimes(1);
  });
});

describe('parseCompletionEvent', () => {
  it('refuses other versions and malformed payloads', () => {
    expect(parseCompletionEvent(completion('c', 'a', 1, 'x'))).not.toBeNull();
    expect(parseCompletionEvent({ ...completion('c', 'a', 1, 'x'), v: 2 })).toBeNull();
    expect(parseCompletionEvent({ ...completion('c', 'a', 1, 'x'), seq: 0 })).toBeNull();
    expect(parseCompletionEvent('nope')).toBeNull();
  });
});
