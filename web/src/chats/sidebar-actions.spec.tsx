import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatListItem } from '../api';
import { chatDocument, MODELS } from '../testing/fake-chat';
import { createFakeServer, type FakeRequest } from '../testing/fake-server';
import { ADA, renderApp } from '../testing/render-app';

const chat = (n: number, title = `Chat ${n}`): ChatListItem => ({
  id: `c${n}`,
  title,
  created_at: 1_700_000_000 + n,
  updated_at: 1_700_000_000 + n,
});
/** Newest first, as the server pages them. */
const range = (from: number, to: number) => {
  const list: ChatListItem[] = [];
  for (let n = to; n >= from; n--) list.push(chat(n));
  return list;
};

// jsdom has no IntersectionObserver: this one lets a test say "the end of the list is visible".
const observers: { callback: IntersectionObserverCallback; elements: Element[] }[] = [];
class FakeIntersectionObserver {
  elements: Element[] = [];
  constructor(readonly callback: IntersectionObserverCallback) {
    observers.push(this);
  }
  observe(element: Element) {
    this.elements.push(element);
  }
  disconnect() {
    observers.splice(observers.indexOf(this), 1);
  }
}
function scrollToEnd() {
  for (const o of [...observers])
    o.callback(
      o.elements.map((target) => ({ isIntersecting: true, target }) as IntersectionObserverEntry),
      o as unknown as IntersectionObserver,
    );
}

beforeEach(() => {
  vi.stubGlobal('IntersectionObserver', FakeIntersectionObserver);
});
afterEach(() => {
  vi.unstubAllGlobals();
  observers.length = 0;
});

function setup(list: ChatListItem[], pinned: ChatListItem[] = []) {
  const server = createFakeServer({
    'GET /api/v1/auths/': { body: ADA },
    // The gateway's page size (the chat service's CHAT_PAGE_SIZE); the app assumes none of its own.
    'GET /api/v1/chats/?page=1': { body: list, headers: { 'X-Page-Size': '60' } },
    'GET /api/v1/chats/pinned': { body: pinned },
    'GET /api/models': { body: { data: MODELS } },
  });
  return renderApp({ server });
}

async function titles(name: string) {
  const nav = await screen.findByRole('navigation', { name: 'Chats' });
  const list = await within(nav).findByRole('list', { name });
  return within(list)
    .getAllByRole('link')
    .map((link) => link.textContent);
}

describe('ChatSidebar actions', () => {
  it('loads the next page when the end of the list scrolls into view', async () => {
    const { server } = setup(range(11, 70));
    server.on('GET /api/v1/chats/?page=2', { body: range(1, 10), headers: { 'X-Page-Size': '60' } });
    expect(await titles('Your chats')).toHaveLength(60);

    act(() => scrollToEnd());

    await waitFor(async () => expect(await titles('Your chats')).toHaveLength(70));
    expect((await titles('Your chats')).at(-1)).toBe('Chat 1');
    expect(server.callsTo('GET', '/api/v1/chats/?page=2')).toHaveLength(1);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('searches with the text as typed, tag: filters included, and shows the matches', async () => {
    const { server, user } = setup(range(1, 3));
    server.on(`GET /api/v1/chats/search?text=${encodeURIComponent('tag:work budget')}&page=1`, {
      body: [chat(2, 'Budget 2027')],
    });
    await titles('Your chats');

    await user.type(screen.getByRole('searchbox', { name: 'Search chats' }), 'tag:work budget');

    expect(await titles('Search results')).toEqual(['Budget 2027']);
    await user.clear(screen.getByRole('searchbox', { name: 'Search chats' }));
    expect(await titles('Your chats')).toEqual(['Chat 3', 'Chat 2', 'Chat 1']);
  });

  it('says so when a search finds nothing', async () => {
    const { server, user } = setup(range(1, 2));
    server.on('GET /api/v1/chats/search?text=zebra&page=1', { body: [] });
    await titles('Your chats');
    await user.type(screen.getByRole('searchbox', { name: 'Search chats' }), 'zebra');
    expect(await screen.findByText('No chats match.')).toBeInTheDocument();
  });

  it('pins a chat: it moves to the pinned list; unpinning moves it back', async () => {
    const { server, user } = setup(range(1, 3));
    const pinState = new Map<string, boolean>();
    server.on('POST /api/v1/chats/c2/pin', (request: FakeRequest) => {
      void request;
      pinState.set('c2', !pinState.get('c2'));
      return { body: { ...chatDocument(chat(2)), pinned: pinState.get('c2') } };
    });
    await titles('Your chats');

    await user.click(screen.getByRole('button', { name: 'Actions for Chat 2' }));
    await user.click(screen.getByRole('button', { name: 'Pin' }));

    expect(await titles('Pinned')).toEqual(['Chat 2']);
    expect(await titles('Your chats')).toEqual(['Chat 3', 'Chat 1']);

    await user.click(screen.getByRole('button', { name: 'Actions for Chat 2' }));
    await user.click(screen.getByRole('button', { name: 'Unpin' }));
    await waitFor(() => expect(screen.queryByRole('list', { name: 'Pinned' })).toBeNull());
    expect(await titles('Your chats')).toEqual(['Chat 3', 'Chat 2', 'Chat 1']);
  });

  it('shows chats pinned earlier and follows a pin made in another tab', async () => {
    const { realtime } = setup(range(1, 2), [chat(9, 'Pinned long ago')]);
    expect(await titles('Pinned')).toEqual(['Pinned long ago']);
    act(() =>
      realtime.current.serverEmit('chat:updated', {
        v: 1,
        chat: { ...chat(1), updated_at: 1_800_000_000, user_id: ADA.id, pinned: true, archived: false },
        change: 'pinned',
      }),
    );
    expect(await titles('Pinned')).toEqual(['Chat 1', 'Pinned long ago']);
    expect(await titles('Your chats')).toEqual(['Chat 2']);
  });

  it('renames a chat inline', async () => {
    const { server, user } = setup(range(1, 2));
    server.on('POST /api/v1/chats/c1', (request: FakeRequest) => ({
      body: chatDocument(chat(1, (request.body as { chat: { title: string } }).chat.title)),
    }));
    await titles('Your chats');

    await user.click(screen.getByRole('button', { name: 'Actions for Chat 1' }));
    await user.click(screen.getByRole('button', { name: 'Rename' }));
    const input = screen.getByRole('textbox', { name: 'New title' });
    await user.clear(input);
    await user.type(input, 'Holiday plans{Enter}');

    expect(await titles('Your chats')).toContain('Holiday plans');
    expect(server.callsTo('POST', '/api/v1/chats/c1')[0]?.body).toEqual({ chat: { title: 'Holiday plans' } });
  });

  it('deletes a chat after asking, and closes it when it was open', async () => {
    window.location.hash = '#/c/c1';
    const { server, user } = setup(range(1, 2));
    server.on('GET /api/v1/chats/c1', { body: chatDocument(chat(1)) });
    server.on('DELETE /api/v1/chats/c1', { body: true });
    await screen.findByRole('heading', { level: 1, name: 'Chat 1' });

    await user.click(screen.getByRole('button', { name: 'Actions for Chat 1' }));
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    const confirm = screen.getByRole('group', { name: 'Delete “Chat 1”?' });
    expect(server.callsTo('DELETE', '/api/v1/chats/c1')).toHaveLength(0);
    await user.click(within(confirm).getByRole('button', { name: 'Delete' }));

    await waitFor(async () => expect(await titles('Your chats')).toEqual(['Chat 2']));
    // Back to a draft: a ready composer, not a chat that is gone.
    expect(await screen.findByRole('heading', { level: 1, name: 'New Chat' })).toBeInTheDocument();
    expect(window.location.hash).toBe('');
  });

  it('archives a chat and copies a share link', async () => {
    const { server, user } = setup(range(1, 2));
    server.on('POST /api/v1/chats/c2/archive', { body: { ...chatDocument(chat(2)), archived: true } });
    server.on('POST /api/v1/chats/c1/share', { body: { ...chatDocument(chat(1)), share_id: 'sh-1' } });
    await titles('Your chats');

    await user.click(screen.getByRole('button', { name: 'Actions for Chat 2' }));
    await user.click(screen.getByRole('button', { name: 'Archive' }));
    await waitFor(async () => expect(await titles('Your chats')).toEqual(['Chat 1']));

    await user.click(screen.getByRole('button', { name: 'Actions for Chat 1' }));
    await user.click(screen.getByRole('button', { name: 'Copy share link' }));
    const url = `${window.location.origin}/s/sh-1`;
    expect(await screen.findByRole('status')).toHaveTextContent(url);
    expect(await navigator.clipboard.readText()).toBe(url);
  });

  it('closes the action menu with Escape and returns focus to its button', async () => {
    const { user } = setup(range(1, 1));
    await titles('Your chats');
    const button = screen.getByRole('button', { name: 'Actions for Chat 1' });
    await user.click(button);
    expect(button).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByRole('button', { name: 'Pin' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(button).toHaveAttribute('aria-expanded', 'false');
    expect(button).toHaveFocus();
  });
});
