import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ChatListItem } from '../api';
import { chatDocument, fakeLayout, MODELS, tree } from '../testing/fake-chat';
import { createFakeServer, type FakeRequest } from '../testing/fake-server';
import { ADA, renderApp } from '../testing/render-app';

const LIST = '/api/v1/chats/?page=1';

const OLDER: ChatListItem = {
  id: 'c-old',
  title: 'Trip to Lisbon',
  created_at: 1_700_000_000,
  updated_at: 1_700_000_100,
};
const NEWER: ChatListItem = {
  id: 'c-new',
  title: 'Quarterly report',
  created_at: 1_700_000_200,
  updated_at: 1_700_000_300,
};

function signedInServer(chats: ChatListItem[]) {
  const server = createFakeServer({
    'GET /api/v1/auths/': { body: ADA },
    [`GET ${LIST}`]: { body: chats },
    'GET /api/v1/chats/pinned': { body: [] },
    'GET /api/models': { body: { data: MODELS } },
  });
  for (const chat of [...chats, CREATED])
    server.on(`GET /api/v1/chats/${chat.id}`, { body: chatDocument(chat) });
  return server;
}

const CREATED: ChatListItem = {
  id: 'c-created',
  title: 'New Chat',
  created_at: 1_700_000_400,
  updated_at: 1_700_000_400,
};

async function chatTitles() {
  const nav = await screen.findByRole('navigation', { name: 'Chats' });
  const list = await within(nav).findByRole('list', { name: 'Your chats' });
  return within(list)
    .getAllByRole('link')
    .map((link) => link.textContent);
}

function chatCreatedEvent(chat: ChatListItem) {
  return { v: 1, chat: { ...chat, user_id: ADA.id } };
}

describe('ChatSidebar', () => {
  it('lists the chats from the server, newest first as sent', async () => {
    renderApp({ server: signedInServer([NEWER, OLDER]) });

    expect(await chatTitles()).toEqual(['Quarterly report', 'Trip to Lisbon']);
    expect(screen.getByRole('link', { name: 'Trip to Lisbon' })).toHaveAttribute('href', '#/c/c-old');
  });

  it('shows the selected chat in the main panel and marks it current', async () => {
    const { user } = renderApp({ server: signedInServer([NEWER, OLDER]) });

    await user.click(await screen.findByRole('link', { name: 'Trip to Lisbon' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Trip to Lisbon' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Trip to Lisbon' })).toHaveAttribute('aria-current', 'page');
    expect(window.location.hash).toBe('#/c/c-old');
  });

  it('"New chat" opens a ready composer with the default model and creates nothing until the first message', async () => {
    const server = signedInServer([NEWER, OLDER]);
    server.on('GET /api/v1/users/user/settings', { body: { ui: { models: ['llama-fake:latest'] } } });
    window.location.hash = '#/c/c-old';
    const { user } = renderApp({ server });
    await screen.findByRole('heading', { level: 1, name: 'Trip to Lisbon' });

    await user.click(screen.getByRole('button', { name: 'New chat' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'New Chat' })).toBeInTheDocument();
    const composer = screen.getByRole('textbox', { name: 'Message' });
    await waitFor(() => expect(composer).toHaveFocus());
    await waitFor(() =>
      expect(screen.getByRole('combobox', { name: 'Model' })).toHaveValue('llama-fake:latest'),
    );
    expect(window.location.hash).toBe('');
    expect(server.callsTo('POST', '/api/v1/chats/new')).toHaveLength(0);
    expect(await chatTitles()).toEqual(['Quarterly report', 'Trip to Lisbon']);
  });

  it('creates the chat on the first message, puts it on top and keeps streaming its answer', async () => {
    // jsdom lays nothing out; the virtualised thread needs sizes to show the message.
    const undoLayout = fakeLayout();
    const server = signedInServer([NEWER, OLDER]);
    server.on('POST /api/v1/chats/new', {
      body: chatDocument(CREATED, undefined, { chat: { title: 'New Chat', models: ['gpt-fake'] } }),
    });
    server.on('POST /api/v1/chats/c-created/messages', (request: FakeRequest) => {
      const { message } = request.body as { message: { id: string; role: string; content: string } };
      // As the server: the chat has the message from now on.
      server.on('GET /api/v1/chats/c-created', { body: chatDocument(CREATED, tree([message])) });
      return { body: { chat_id: 'c-created', message: { ...message, parentId: null, childrenIds: [] } } };
    });
    server.on('POST /api/chat/completions', { body: { status: true, task_id: 'task-1' } });
    const { user } = renderApp({ server });
    await chatTitles();
    await user.click(screen.getByRole('button', { name: 'New chat' }));
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Model' })).toHaveValue('gpt-fake'));

    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Hello there{Enter}');

    await waitFor(() => expect(window.location.hash).toBe('#/c/c-created'));
    expect(server.callsTo('POST', '/api/v1/chats/new')[0]?.body).toEqual({
      chat: { title: 'New Chat', models: ['gpt-fake'] },
    });
    await waitFor(() => expect(server.callsTo('POST', '/api/chat/completions')).toHaveLength(1));
    expect(server.callsTo('POST', '/api/chat/completions')[0]?.body).toMatchObject({
      chat_id: 'c-created',
      model: 'gpt-fake',
      messages: [{ role: 'user', content: 'Hello there' }],
    });
    expect(await screen.findByText('Hello there')).toBeInTheDocument();
    undoLayout();
    expect(await chatTitles()).toEqual(['New Chat', 'Quarterly report', 'Trip to Lisbon']);
    // Merged from the response, not refetched.
    expect(server.callsTo('GET', LIST)).toHaveLength(1);
  });

  it('shows the server detail when creating the chat fails, and keeps the text', async () => {
    const server = signedInServer([]);
    server.on('POST /api/v1/chats/new', { status: 403, body: { detail: 'You do not have permission.' } });
    const { user } = renderApp({ server });
    await user.click(await screen.findByRole('button', { name: 'New chat' }));
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Model' })).toHaveValue('gpt-fake'));

    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Hi{Enter}');

    expect(await screen.findByRole('alert')).toHaveTextContent('You do not have permission.');
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveValue('Hi');
    expect(window.location.hash).toBe('');
  });

  it('adds a chat from a chat:created socket event once, even when the event repeats', async () => {
    const server = signedInServer([OLDER]);
    const { realtime } = renderApp({ server });
    await chatTitles();

    const fromOtherTab: ChatListItem = {
      id: 'c-tab2',
      title: 'From the other tab',
      created_at: 1_700_000_500,
      updated_at: 1_700_000_500,
    };
    act(() => realtime.current.serverEmit('chat:created', chatCreatedEvent(fromOtherTab)));
    act(() => realtime.current.serverEmit('chat:created', chatCreatedEvent(fromOtherTab)));

    expect(await chatTitles()).toEqual(['From the other tab', 'Trip to Lisbon']);
    expect(server.callsTo('GET', LIST)).toHaveLength(1);
  });

  it('keeps a chat once when the socket echoes the chat this tab just created', async () => {
    const server = signedInServer([OLDER]);
    const created = { id: 'c-mine', title: 'New Chat', created_at: 1_700_000_600, updated_at: 1_700_000_600 };
    server.on('POST /api/v1/chats/new', { body: chatDocument(created) });
    server.on('GET /api/v1/chats/c-mine', { body: chatDocument(created) });
    server.on('POST /api/v1/chats/c-mine/messages', { body: { chat_id: 'c-mine' } });
    server.on('POST /api/chat/completions', { body: { status: true, task_id: 'task-1' } });
    const { user, realtime } = renderApp({ server });
    await chatTitles();

    await user.click(screen.getByRole('button', { name: 'New chat' }));
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Model' })).toHaveValue('gpt-fake'));
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Hi{Enter}');
    await waitFor(() => expect(window.location.hash).toBe('#/c/c-mine'));
    act(() => realtime.current.serverEmit('chat:created', chatCreatedEvent(created)));

    expect(await chatTitles()).toEqual(['New Chat', 'Trip to Lisbon']);
    expect(server.callsTo('GET', LIST)).toHaveLength(1);
  });

  it('ignores socket events of an unknown version or shape', async () => {
    const { realtime } = renderApp({ server: signedInServer([OLDER]) });
    await chatTitles();

    act(() => {
      realtime.current.serverEmit('chat:created', { v: 2, chat: { ...NEWER, user_id: ADA.id } });
      realtime.current.serverEmit('chat:created', { v: 1, chat: { id: 'x' } });
      realtime.current.serverEmit('chat:created', 'garbage');
    });

    expect(await chatTitles()).toEqual(['Trip to Lisbon']);
  });

  it('refetches the list once after the socket reconnects', async () => {
    const server = signedInServer([OLDER]);
    const { realtime } = renderApp({ server });
    await chatTitles();

    server.on(`GET ${LIST}`, { body: [NEWER, OLDER] });
    act(() => {
      realtime.current.serverEmit('disconnect', 'transport close');
      realtime.current.serverEmit('connect');
    });

    expect(await screen.findByRole('link', { name: 'Quarterly report' })).toBeInTheDocument();
    expect(server.callsTo('GET', LIST)).toHaveLength(2);
  });
});
