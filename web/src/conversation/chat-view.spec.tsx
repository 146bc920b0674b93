import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatListItem } from '../api';
import {
  chatDocument,
  completion,
  fakeLayout,
  longChat,
  renderChat,
  serveChat,
  tree,
} from '../testing/fake-chat';
import { createFakeServer, type FakeRequest } from '../testing/fake-server';
import { ADA, renderApp } from '../testing/render-app';

const CHAT: ChatListItem = { id: 'c-1', title: 'Trip to Lisbon', created_at: 1, updated_at: 2 };

let undoLayout: () => void;
beforeEach(() => {
  undoLayout = fakeLayout();
  window.location.hash = '#/c/c-1';
});
afterEach(() => undoLayout());

const setup = (history = tree([]), extra = {}) => renderChat(CHAT, history, extra);

const thread = () => screen.findByRole('log', { name: 'Messages' });
const answerId = (server: ReturnType<typeof createFakeServer>) =>
  (server.callsTo('POST', '/api/chat/completions').at(-1)?.body as { id: string }).id;

const LISBON = tree([
  { id: 'u1', role: 'user', content: 'Where should I eat?' },
  { id: 'a1', parentId: 'u1', role: 'assistant', content: 'Try **Cervejaria Ramiro**.', model: 'gpt-fake' },
]);

describe('ChatView', () => {
  it('shows the branch in view as Markdown, with the title and the models the user may use', async () => {
    setup(LISBON);
    const log = await thread();
    expect(screen.getByRole('heading', { level: 1, name: 'Trip to Lisbon' })).toBeInTheDocument();
    expect(within(log).getByText('Where should I eat?')).toBeInTheDocument();
    expect(await within(log).findByText('Cervejaria Ramiro', {}, { timeout: 5000 })).toHaveProperty(
      'tagName',
      'STRONG',
    );
    const picker = screen.getByRole('combobox', { name: 'Model' });
    await waitFor(() => expect(picker).toHaveValue('gpt-fake'));
    expect(
      within(picker)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['GPT Fake', 'llama-fake:latest']);
  });

  it('sends a message with the picked model and streams the answer in, in seq order', async () => {
    const { server, user, realtime } = setup();
    await screen.findByText('Send a message to start the conversation.');
    const picker = screen.getByRole('combobox', { name: 'Model' });
    await waitFor(() => expect(picker).not.toBeDisabled());
    await user.selectOptions(picker, 'llama-fake:latest');
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Say hi{Enter}');

    await waitFor(() => expect(server.callsTo('POST', '/api/chat/completions')).toHaveLength(1));
    const added = server.callsTo('POST', '/api/v1/chats/c-1/messages')[0]!.body as {
      parent_id: null;
      message: { id: string; role: string; content: string };
    };
    expect(added).toMatchObject({ parent_id: null, message: { role: 'user', content: 'Say hi' } });
    const id = answerId(server);
    expect(server.callsTo('POST', '/api/chat/completions')[0]!.body).toEqual({
      model: 'llama-fake:latest',
      messages: [{ role: 'user', content: 'Say hi' }],
      stream: true,
      chat_id: 'c-1',
      id,
      parent_id: added.message.id,
      session_id: 'fake-socket-id',
    });

    expect(await screen.findByRole('button', { name: 'Stop' })).toBeInTheDocument();
    act(() => {
      realtime.current.serverEmit('chat:completion', completion('c-1', id, 2, ' *there*'));
      realtime.current.serverEmit('chat:completion', completion('c-1', id, 1, 'Hi'));
      realtime.current.serverEmit('chat:completion', completion('c-1', id, 1, 'Hi'));
    });
    expect(await screen.findByText('there', {}, { timeout: 5000 })).toHaveProperty('tagName', 'EM');
    act(() => realtime.current.serverEmit('chat:completion', completion('c-1', id, 3, '!', true)));
    expect(await screen.findByRole('button', { name: 'Regenerate' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull();
    expect(screen.getByRole('log').textContent).toContain('Hi there!');
  });

  it('stops a streaming answer', async () => {
    const { server, user } = setup();
    server.on('POST /api/tasks/chat/c-1/stop', { body: { status: true } });
    await screen.findByText('Send a message to start the conversation.');
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Model' })).not.toBeDisabled());
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Tell me a long story{Enter}');
    await user.click(await screen.findByRole('button', { name: 'Stop' }));
    expect(server.callsTo('POST', '/api/tasks/chat/c-1/stop')).toHaveLength(1);
    expect(await screen.findByRole('button', { name: 'Send' })).toBeInTheDocument();
  });

  it('shows the error of a failed answer', async () => {
    const { server, user, realtime } = setup();
    await screen.findByText('Send a message to start the conversation.');
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Model' })).not.toBeDisabled());
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Hi{Enter}');
    await waitFor(() => expect(server.callsTo('POST', '/api/chat/completions')).toHaveLength(1));
    act(() =>
      realtime.current.serverEmit(
        'chat:completion',
        completion('c-1', answerId(server), 1, '', true, 'The model is unreachable.'),
      ),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent('The model is unreachable.');
  });

  it('navigates between versions of an answer with the branch arrows', async () => {
    const history = tree(
      [
        { id: 'u1', role: 'user', content: 'Pick a number' },
        { id: 'a1', parentId: 'u1', role: 'assistant', content: 'Seven' },
        { id: 'a2', parentId: 'u1', role: 'assistant', content: 'Three' },
        { id: 'a3', parentId: 'u1', role: 'assistant', content: 'Forty-two' },
      ],
      'a2',
    );
    const { server, user } = setup(history);
    server.on('POST /api/v1/chats/c-1/messages/a3/switch', { body: { chat_id: 'c-1', current_id: 'a3' } });
    server.on('POST /api/v1/chats/c-1/messages/a1/switch', { body: { chat_id: 'c-1', current_id: 'a1' } });
    const log = await thread();
    expect(await within(log).findByText('Three', {}, { timeout: 5000 })).toBeInTheDocument();
    const versions = within(log).getByRole('group', { name: 'Versions' });
    expect(versions).toHaveTextContent('2/3');

    await user.click(within(versions).getByRole('button', { name: 'Next version' }));
    expect(await within(log).findByText('Forty-two')).toBeInTheDocument();
    expect(within(log).getByRole('group', { name: 'Versions' })).toHaveTextContent('3/3');
    expect(within(log).getByRole('button', { name: 'Next version' })).toBeDisabled();
    expect(server.callsTo('POST', '/api/v1/chats/c-1/messages/a3/switch')).toHaveLength(1);

    await user.click(within(log).getByRole('button', { name: 'Previous version' }));
    await user.click(within(log).getByRole('button', { name: 'Previous version' }));
    expect(await within(log).findByText('Seven')).toBeInTheDocument();
    expect(within(log).getByRole('group', { name: 'Versions' })).toHaveTextContent('1/3');
    expect(within(log).getByRole('button', { name: 'Previous version' })).toBeDisabled();
  });

  it('regenerates an answer as a new version and streams into it', async () => {
    const { server, user, realtime } = setup(LISBON);
    server.on('POST /api/v1/chats/c-1/messages/a1/regenerate', (request: FakeRequest) => {
      const { id } = request.body as { id: string };
      return {
        body: {
          chat_id: 'c-1',
          message: { id, parentId: 'u1', childrenIds: [], role: 'assistant', content: '', done: false },
        },
      };
    });
    await user.click(await screen.findByRole('button', { name: 'Regenerate' }));

    await waitFor(() => expect(server.callsTo('POST', '/api/chat/completions')).toHaveLength(1));
    const regenerate = server.callsTo('POST', '/api/v1/chats/c-1/messages/a1/regenerate')[0]!.body as {
      id: string;
      model: string;
    };
    expect(regenerate.model).toBe('gpt-fake');
    expect(server.callsTo('POST', '/api/chat/completions')[0]!.body).toMatchObject({
      id: regenerate.id,
      parent_id: 'u1',
      messages: [{ role: 'user', content: 'Where should I eat?' }],
    });
    act(() =>
      realtime.current.serverEmit('chat:completion', completion('c-1', regenerate.id, 1, 'Pastéis!', true)),
    );
    const log = await thread();
    expect(await within(log).findByText('Pastéis!', {}, { timeout: 5000 })).toBeInTheDocument();
    expect(within(log).getByRole('group', { name: 'Versions' })).toHaveTextContent('2/2');
  });

  it('edits a question and sends it again as a new branch', async () => {
    const { server, user } = setup(LISBON);
    server.on('POST /api/v1/chats/c-1/messages/u1/edit', (request: FakeRequest) => {
      const { id, content } = request.body as { id: string; content: string };
      return {
        body: { chat_id: 'c-1', message: { id, parentId: null, childrenIds: [], role: 'user', content } },
      };
    });
    await user.click(await screen.findByRole('button', { name: 'Edit' }));
    const box = screen.getByRole('textbox', { name: 'Edit message' });
    await user.clear(box);
    await user.type(box, 'Where should I drink coffee?');
    await user.click(screen.getByRole('button', { name: 'Save and send' }));

    await waitFor(() => expect(server.callsTo('POST', '/api/chat/completions')).toHaveLength(1));
    const edited = server.callsTo('POST', '/api/v1/chats/c-1/messages/u1/edit')[0]!.body as { id: string };
    expect(server.callsTo('POST', '/api/chat/completions')[0]!.body).toMatchObject({
      parent_id: edited.id,
      messages: [{ role: 'user', content: 'Where should I drink coffee?' }],
    });
    const log = await thread();
    expect(within(log).getByText('Where should I drink coffee?')).toBeInTheDocument();
    expect(within(log).getAllByRole('group', { name: 'Versions' })[0]).toHaveTextContent('2/2');
  });

  it('rates an answer with thumbs up and down', async () => {
    const { server, user } = setup(LISBON);
    server.on('POST /api/v1/chats/c-1/messages/a1/rate', (request: FakeRequest) => ({
      body: {
        chat_id: 'c-1',
        message: {
          ...LISBON.messages['a1'],
          annotation: { rating: (request.body as { rating: number }).rating },
        },
      },
    }));
    const good = await screen.findByRole('button', { name: 'Good response' });
    expect(good).toHaveAttribute('aria-pressed', 'false');
    await user.click(good);
    await waitFor(() => expect(good).toHaveAttribute('aria-pressed', 'true'));
    expect(server.callsTo('POST', '/api/v1/chats/c-1/messages/a1/rate')[0]!.body).toEqual({ rating: 1 });
    await user.click(screen.getByRole('button', { name: 'Bad response' }));
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Bad response' })).toHaveAttribute('aria-pressed', 'true'),
    );
    expect(good).toHaveAttribute('aria-pressed', 'false');
  });

  it('shows the generated title from chat:title in the heading and the list', async () => {
    const { realtime } = setup(LISBON);
    await thread();
    act(() =>
      realtime.current.serverEmit('chat:title', {
        v: 1,
        chat: { id: 'c-1', user_id: ADA.id, title: 'Lisbon food' },
      }),
    );
    expect(await screen.findByRole('heading', { level: 1, name: 'Lisbon food' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Lisbon food' })).toBeInTheDocument();
  });

  it('picks up an answer that was still being written when the chat opened', async () => {
    const history = tree([
      { id: 'u1', role: 'user', content: 'Count' },
      { id: 'a1', parentId: 'u1', role: 'assistant', content: 'one', done: false },
    ]);
    const server = createFakeServer({
      'GET /api/v1/auths/': { body: ADA },
      'GET /api/v1/chats/?page=1': { body: [CHAT] },
    });
    serveChat(server, chatDocument(CHAT, history));
    const { realtime } = renderApp({ server });
    await thread();
    await waitFor(() =>
      expect(realtime.current.emitted).toContainEqual({
        event: 'chat:completion:resume',
        body: { streams: [{ message_id: 'a1', after_seq: 0 }] },
      }),
    );
    expect(screen.getByRole('button', { name: 'Stop' })).toBeInTheDocument();
    // The ack replays from seq 1; a live delta then continues it.
    act(() => {
      realtime.current.serverEmit('chat:completion', completion('c-1', 'a1', 3, ' three', true));
    });
    realtime.current.handle('chat:completion:resume', () => ({
      ok: true,
      completions: [completion('c-1', 'a1', 1, 'one'), completion('c-1', 'a1', 2, ' two')],
    }));
    act(() => realtime.current.serverEmit('connect'));
    expect(await screen.findByText('one two three', {}, { timeout: 5000 })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull();
  });

  it('fetches the chat again when an answer of it starts in another tab', async () => {
    const { server, realtime } = setup(LISBON);
    await thread();
    const calls = server.callsTo('GET', '/api/v1/chats/c-1').length;
    act(() => realtime.current.serverEmit('chat:completion', completion('c-1', 'from-tab-2', 1, 'Hello')));
    await waitFor(() => expect(server.callsTo('GET', '/api/v1/chats/c-1').length).toBe(calls + 1));
  });

  it('offers to answer a question that was left without one, and does not while sending', async () => {
    const { server, user } = setup(tree([{ id: 'u1', role: 'user', content: 'Still there?' }]));
    const button = await screen.findByRole('button', { name: 'Get an answer' });
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Model' })).toHaveValue('gpt-fake'));
    await user.click(button);
    await waitFor(() => expect(server.callsTo('POST', '/api/chat/completions')).toHaveLength(1));
    expect(server.callsTo('POST', '/api/chat/completions')[0]!.body).toMatchObject({
      parent_id: 'u1',
      messages: [{ role: 'user', content: 'Still there?' }],
    });
    expect(screen.queryByRole('button', { name: 'Get an answer' })).toBeNull();
  });

  it('says the model service is unavailable (not "add a connection") and asks again on Try again', async () => {
    const { server, user } = setup(LISBON);
    server.on('GET /api/models', {
      status: 503,
      body: { detail: 'Service unavailable', code: 'UNAVAILABLE' },
    });
    expect(await screen.findByRole('alert', {}, { timeout: 8000 })).toHaveTextContent(
      'The model service is unavailable. Parley keeps trying.',
    );
    expect(screen.getByRole('combobox', { name: 'Model' })).toHaveTextContent('Unavailable');
    expect(screen.queryByText(/Ask an administrator/)).toBeNull();

    serveChat(server, chatDocument(CHAT, LISBON));
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Model' })).toHaveValue('gpt-fake'));
    expect(screen.queryByText(/The model service is unavailable/)).toBeNull();
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
  }, 15_000);

  it('speaks German', async () => {
    const server = createFakeServer({
      'GET /api/v1/auths/': { body: ADA },
      'GET /api/v1/chats/?page=1': { body: [CHAT] },
    });
    serveChat(server, chatDocument(CHAT, LISBON));
    renderApp({ server, locale: 'de' });
    expect(await screen.findByRole('textbox', { name: 'Nachricht' })).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Modell' })).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'Neu generieren' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Gute Antwort' })).toBeInTheDocument();
  });

  it('opens a 1,000-message chat at its end with only a few rows in the DOM', async () => {
    setup(longChat(1000));
    const log = await thread();
    await waitFor(() => expect(within(log).getByText('Message number 999')).toBeInTheDocument());
    expect(within(log).getByText('Message number 998')).toBeInTheDocument();
    expect(within(log).queryByText('Message number 0')).toBeNull();
    expect(log.querySelectorAll('.message-row').length).toBeLessThan(40);
  });
});
