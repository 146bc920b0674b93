import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ChatListItem } from '../api';
import { chatDocument, MODELS } from '../testing/fake-chat';
import { createFakeServer, type FakeRequest } from '../testing/fake-server';
import { ADA, renderApp } from '../testing/render-app';

const chat = (n: number): ChatListItem => ({
  id: `c${n}`,
  title: `Chat ${n}`,
  created_at: 1_700_000_000 + n,
  updated_at: 1_700_000_000 + n,
});
const WORK = {
  id: 'f-work',
  parent_id: null,
  name: 'Work',
  is_expanded: false,
  created_at: 1,
  updated_at: 1,
};

function setup() {
  const server = createFakeServer({
    'GET /api/v1/auths/': { body: ADA },
    'GET /api/v1/chats/?page=1': { body: [chat(2), chat(1)] },
    'GET /api/v1/chats/pinned': { body: [] },
    'GET /api/v1/folders/': { body: [WORK] },
    'GET /api/v1/chats/folder/f-work/list?page=1': { body: [] },
    'GET /api/models': { body: { data: MODELS } },
  });
  server.on('POST /api/v1/chats/c1/folder', (request: FakeRequest) => {
    const folderId = (request.body as { folder_id: string | null }).folder_id;
    // As the server: the folder lists the chat from now on.
    if (folderId) server.on(`GET /api/v1/chats/folder/${folderId}/list?page=1`, { body: [chat(1)] });
    return { body: { ...chatDocument(chat(1)), folder_id: folderId } };
  });
  return renderApp({ server });
}

async function listTitles(name: string) {
  const list = await screen.findByRole('list', { name });
  return within(list)
    .getAllByRole('link')
    .map((link) => link.textContent);
}

/** A DataTransfer stand-in: jsdom has none. */
function dataTransfer() {
  const data = new Map<string, string>();
  return {
    get types() {
      return [...data.keys()];
    },
    setData: (type: string, value: string) => data.set(type, value),
    getData: (type: string) => data.get(type) ?? '',
    dropEffect: 'none',
    effectAllowed: 'all',
  };
}

describe('folders in the sidebar', () => {
  it('moves a chat into a folder by drag and drop', async () => {
    const { server } = setup();
    await listTitles('Your chats');
    const folder = await screen.findByRole('button', { name: 'Work' });

    const transfer = dataTransfer();
    const row = screen.getByRole('link', { name: 'Chat 1' }).closest('li')!;
    fireEvent.dragStart(row, { dataTransfer: transfer });
    fireEvent.dragOver(folder.closest('li')!, { dataTransfer: transfer });
    fireEvent.drop(folder.closest('li')!, { dataTransfer: transfer });

    await waitFor(() =>
      expect(server.callsTo('POST', '/api/v1/chats/c1/folder')[0]?.body).toEqual({ folder_id: 'f-work' }),
    );
    expect(await listTitles('Your chats')).toEqual(['Chat 2']);
    expect(folder).toHaveAttribute('aria-expanded', 'true');
    expect(await listTitles('Work')).toEqual(['Chat 1']);
  });

  it('moves a chat into a folder from its menu, without a mouse drag', async () => {
    const { server, user } = setup();
    await listTitles('Your chats');
    await user.click(screen.getByRole('button', { name: 'Actions for Chat 1' }));
    await user.selectOptions(await screen.findByRole('combobox', { name: 'Move to folder' }), 'Work');
    await waitFor(() => expect(server.callsTo('POST', '/api/v1/chats/c1/folder')).toHaveLength(1));
    expect(await listTitles('Your chats')).toEqual(['Chat 2']);
    // The folder was closed: it opens to show where the chat went, and says so.
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Work' })).toHaveAttribute('aria-expanded', 'true'),
    );
    expect(await listTitles('Work')).toEqual(['Chat 1']);
    expect(screen.getByRole('status')).toHaveTextContent('Moved to Work.');
  });

  it('opens a folder the server keeps open, and saves opening and closing on the folder', async () => {
    const { server, user } = setup();
    server.on('GET /api/v1/folders/', { body: [{ ...WORK, is_expanded: true }] });
    server.on('POST /api/v1/folders/f-work/update/expanded', (request: FakeRequest) => ({
      body: { ...WORK, ...(request.body as object) },
    }));
    const folder = await screen.findByRole('button', { name: 'Work' });
    await waitFor(() => expect(folder).toHaveAttribute('aria-expanded', 'true'));

    await user.click(folder);
    expect(folder).toHaveAttribute('aria-expanded', 'false');
    await user.click(folder);
    expect(folder).toHaveAttribute('aria-expanded', 'true');
    await waitFor(() =>
      expect(server.callsTo('POST', '/api/v1/folders/f-work/update/expanded').map((c) => c.body)).toEqual([
        { is_expanded: false },
        { is_expanded: true },
      ]),
    );
  });

  it('creates a folder', async () => {
    const { server, user } = setup();
    server.on('POST /api/v1/folders/', (request: FakeRequest) => {
      server.on('GET /api/v1/folders/', {
        body: [WORK, { ...WORK, id: 'f-home', name: (request.body as { name: string }).name }],
      });
      return { body: { ...WORK, id: 'f-home', name: 'Home' } };
    });
    await listTitles('Your chats');
    await user.click(screen.getByRole('button', { name: 'New folder' }));
    await user.type(screen.getByRole('textbox', { name: 'Folder name' }), 'Home{Enter}');
    expect(await screen.findByRole('button', { name: 'Home' })).toBeInTheDocument();
    expect(server.callsTo('POST', '/api/v1/folders/')[0]?.body).toEqual({ name: 'Home' });
  });
});
