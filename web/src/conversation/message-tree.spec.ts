import { describe, expect, it } from 'vitest';
import { tree } from '../testing/fake-chat';
import { branchTo, newestLeafBelow, readHistory, siblingsOf, withMessage } from './message-tree';

const history = tree(
  [
    { id: 'u1', role: 'user', content: 'Hi' },
    { id: 'a1', parentId: 'u1', role: 'assistant', content: 'first' },
    { id: 'a2', parentId: 'u1', role: 'assistant', content: 'second' },
    { id: 'u2', parentId: 'a2', role: 'user', content: 'more' },
  ],
  'a1',
);

describe('message tree', () => {
  it('walks the branch from the root to the current message', () => {
    expect(branchTo(history, 'u2').map((m) => m.id)).toEqual(['u1', 'a2', 'u2']);
    expect(branchTo(history, 'a1').map((m) => m.id)).toEqual(['u1', 'a1']);
  });

  it('finds siblings and the newest leaf below a message', () => {
    expect(siblingsOf(history, history.messages['a1']!)).toEqual(['a1', 'a2']);
    expect(newestLeafBelow(history, 'a2')).toBe('u2');
    expect(newestLeafBelow(history, 'u1')).toBe('u2');
  });

  it('adds a message under its parent and makes it current', () => {
    const next = withMessage(history, {
      id: 'a3',
      parentId: 'u1',
      childrenIds: [],
      role: 'assistant',
      content: '',
    });
    expect(next.messages['u1']?.childrenIds).toEqual(['a1', 'a2', 'a3']);
    expect(next.currentId).toBe('a3');
    expect(history.messages['u1']?.childrenIds).toEqual(['a1', 'a2']);
  });

  it('survives a cycle and reads a malformed history as empty', () => {
    const cyclic = tree([
      { id: 'x', parentId: 'y', role: 'user', content: '' },
      { id: 'y', parentId: 'x', role: 'user', content: '' },
    ]);
    expect(branchTo(cyclic, 'x')).toHaveLength(2);
    expect(readHistory('garbage')).toEqual({ messages: {}, currentId: null });
  });
});
