import { describe, expect, it } from 'vitest';
import { readServerEvent } from './server-events';

describe('readServerEvent', () => {
  it('gives a v1 payload back in its JSON form, fields the app does not know included', () => {
    const payload = { v: 1, chat: { id: 'c1', user_id: 'u1', title: 'T' }, change: 'chat', later: true };
    expect(readServerEvent('chat:updated', payload)?.chat?.title).toBe('T');
  });

  it('ignores another version and anything that is not an object', () => {
    expect(readServerEvent('chat:updated', { v: 2, chat: { id: 'c1' } })).toBeNull();
    expect(readServerEvent('usage', { models: [] })).toBeNull();
    expect(readServerEvent('usage', 'garbage')).toBeNull();
    expect(readServerEvent('usage', [1])).toBeNull();
    expect(readServerEvent('usage', null)).toBeNull();
  });
});
