import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
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
const folder = (id: string, name: string, parent_id: string | null = null) => ({
  id,
  parent_id,
  name,
  is_expanded: false,
  created_at: 1,
  updated_at: 1,
});

function setup({ list = [chat(2), chat(1)], folders = [] as ReturnType<typeof folder>[] } = {}) {
  const server = createFakeServer({
    'GET /api/v1/auths/': { body: ADA },
    'GET /api/v1/chats/?page=1': { body: list },
    'GET /api/v1/chats/pinned': { body: [] },
    'GET /api/v1/folders/': { body: folders },
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

describe('sharing from the sidebar', () => {
  it('offers "Stop sharing" only for a shared chat, and unshares it', async () => {
    const { server, user } = setup();
    server.on('GET /api/v1/chats/c1', { body: { ...chatDocument(chat(1)), share_id: 'sh-1' } });
    server.on('GET /api/v1/chats/c2', { body: { ...chatDocument(chat(2)), share_id: null } });
    server.on('DELETE /api/v1/chats/c1/share', () => {
      server.on('GET /api/v1/chats/c1', { body: { ...chatDocument(chat(1)), share_id: null } });
      return { body: true };
    });
    await titles('Your chats');

    await user.click(screen.getByRole('button', { name: 'Actions for Chat 2' }));
    await screen.findByRole('button', { name: 'Pin' });
    await waitFor(() => expect(server.callsTo('GET', '/api/v1/chats/c2')).toHaveLength(1));
    expect(screen.queryByRole('button', { name: 'Stop sharing' })).toBeNull();
    await user.keyboard('{Escape}');

    await user.click(screen.getByRole('button', { name: 'Actions for Chat 1' }));
    await user.click(await screen.findByRole('button', { name: 'Stop sharing' }));

    expect(server.callsTo('DELETE', '/api/v1/chats/c1/share')).toHaveLength(1);
    expect(await screen.findByText('The chat is no longer shared.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Actions for Chat 1' }));
    expect(screen.queryByRole('button', { name: 'Stop sharing' })).toBeNull();
  });
});

describe('archived chats', () => {
  it('lists the archived chats, unarchives one back into the list, and unarchives all', async () => {
    const { server, user } = setup({ list: [chat(1)] });
    let archived = [chat(7, 'Old plans'), chat(8, 'Older notes')];
    server.on('GET /api/v1/chats/archived?page=1', () => ({ body: archived }));
    server.on('POST /api/v1/chats/c7/archive', () => {
      archived = archived.filter((c) => c.id !== 'c7');
      return { body: { ...chatDocument(chat(7, 'Old plans')), archived: false } };
    });
    server.on('POST /api/v1/chats/unarchive/all', () => {
      archived = [];
      return { body: true };
    });
    await titles('Your chats');

    const toggle = screen.getByRole('button', { name: 'Archived chats' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const panel = await screen.findByRole('region', { name: 'Archived chats' });
    expect(await within(panel).findByText('Old plans')).toBeInTheDocument();

    await user.click(within(panel).getByRole('button', { name: 'Unarchive Old plans' }));
    await waitFor(() => expect(within(panel).queryByText('Old plans')).toBeNull());
    expect(await titles('Your chats')).toEqual(['Old plans', 'Chat 1']);

    await user.click(within(panel).getByRole('button', { name: 'Unarchive all' }));
    const confirm = within(panel).getByRole('group', { name: 'Move all archived chats back to your chats?' });
    expect(server.callsTo('POST', '/api/v1/chats/unarchive/all')).toHaveLength(0);
    await user.click(within(confirm).getByRole('button', { name: 'Unarchive all' }));
    expect(server.callsTo('POST', '/api/v1/chats/unarchive/all')).toHaveLength(1);
    expect(await within(panel).findByText('No archived chats.')).toBeInTheDocument();

    await user.keyboard('{Escape}');
    expect(screen.queryByRole('region', { name: 'Archived chats' })).toBeNull();
    expect(toggle).toHaveFocus();
  });
});

describe('folder actions', () => {
  it('renames a folder', async () => {
    const { server, user } = setup({ folders: [folder('f1', 'Work')] });
    server.on('POST /api/v1/folders/f1/update', (request: FakeRequest) => {
      const { name } = request.body as { name: string };
      server.on('GET /api/v1/folders/', { body: [folder('f1', name)] });
      return { body: folder('f1', name) };
    });

    await user.click(await screen.findByRole('button', { name: 'Actions for folder Work' }));
    await user.click(screen.getByRole('button', { name: 'Rename folder' }));
    const input = screen.getByRole('textbox', { name: 'New folder name' });
    await user.clear(input);
    await user.type(input, 'Office{Enter}');

    expect(await screen.findByRole('button', { name: 'Office' })).toBeInTheDocument();
    expect(server.callsTo('POST', '/api/v1/folders/f1/update')[0]?.body).toEqual({ name: 'Office' });
  });

  it('deletes a folder keeping its chats, or with them, after asking', async () => {
    const { server, user } = setup({ folders: [folder('f1', 'Work'), folder('f2', 'Home')] });
    server.on('DELETE /api/v1/folders/f1?delete_contents=false', () => {
      server.on('GET /api/v1/folders/', { body: [folder('f2', 'Home')] });
      server.on('GET /api/v1/chats/?page=1', { body: [chat(3, 'Was in Work'), chat(2), chat(1)] });
      return { body: true };
    });
    server.on('DELETE /api/v1/folders/f2?delete_contents=true', () => {
      server.on('GET /api/v1/folders/', { body: [] });
      return { body: true };
    });

    await user.click(await screen.findByRole('button', { name: 'Actions for folder Work' }));
    await user.click(screen.getByRole('button', { name: 'Delete folder' }));
    const confirm = screen.getByRole('group', { name: 'Delete the folder “Work”?' });
    expect(server.requests.some((r) => r.method === 'DELETE')).toBe(false);
    await user.click(within(confirm).getByRole('button', { name: 'Delete folder, keep its chats' }));

    await waitFor(() => expect(screen.queryByRole('button', { name: 'Work' })).toBeNull());
    expect(await titles('Your chats')).toEqual(['Was in Work', 'Chat 2', 'Chat 1']);

    await user.click(screen.getByRole('button', { name: 'Actions for folder Home' }));
    await user.click(screen.getByRole('button', { name: 'Delete folder' }));
    await user.click(screen.getByRole('button', { name: 'Delete folder and its chats' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Home' })).toBeNull());
    expect(server.callsTo('DELETE', '/api/v1/folders/f2?delete_contents=true')).toHaveLength(1);
  });
});

describe('nested folders', () => {
  it('creates a subfolder, shows it inside its parent, and a chat dropped on it lands there only', async () => {
    const { server, user } = setup({ folders: [folder('f1', 'Work')] });
    server.on('GET /api/v1/chats/folder/f1/list?page=1', { body: [] });
    server.on('GET /api/v1/chats/folder/f9/list?page=1', { body: [] });
    server.on('POST /api/v1/folders/', (request: FakeRequest) => {
      server.on('GET /api/v1/folders/', { body: [folder('f1', 'Work'), folder('f9', 'Clients', 'f1')] });
      return { body: folder('f9', (request.body as { name: string }).name, 'f1') };
    });
    server.on('POST /api/v1/chats/c1/folder', (request: FakeRequest) => ({
      body: { ...chatDocument(chat(1)), folder_id: (request.body as { folder_id: string }).folder_id },
    }));

    await user.click(await screen.findByRole('button', { name: 'Actions for folder Work' }));
    await user.click(screen.getByRole('button', { name: 'New subfolder' }));
    await user.type(screen.getByRole('textbox', { name: 'Subfolder name' }), 'Clients{Enter}');

    expect(server.callsTo('POST', '/api/v1/folders/')[0]?.body).toEqual({ name: 'Clients', parent_id: 'f1' });
    const work = screen.getByRole('button', { name: 'Work' });
    await waitFor(() => expect(work).toHaveAttribute('aria-expanded', 'true'));
    const inside = document.getElementById(work.getAttribute('aria-controls')!)!;
    const clients = await within(inside).findByRole('button', { name: 'Clients' });
    // Only at the top level once: the subfolder is not repeated beside its parent.
    expect(screen.getAllByRole('button', { name: 'Clients' })).toHaveLength(1);

    // A DataTransfer stand-in: jsdom has none.
    const store = new Map<string, string>();
    const data = {
      get types() {
        return [...store.keys()];
      },
      setData: (type: string, value: string) => store.set(type, value),
      getData: (type: string) => store.get(type) ?? '',
      dropEffect: 'none',
      effectAllowed: 'all',
    };
    fireEvent.dragStart(screen.getByRole('link', { name: 'Chat 1' }).closest('li')!, { dataTransfer: data });
    fireEvent.dragOver(clients.closest('li')!, { dataTransfer: data });
    fireEvent.drop(clients.closest('li')!, { dataTransfer: data });

    await waitFor(() => expect(server.callsTo('POST', '/api/v1/chats/c1/folder')).toHaveLength(1));
    expect(server.callsTo('POST', '/api/v1/chats/c1/folder')[0]?.body).toEqual({ folder_id: 'f9' });
  });
});

describe('tags', () => {
  it('adds and removes tags from the chat menu, shows them on the row, and searches one on click', async () => {
    const { server, user } = setup();
    let tags: { id: string; name: string }[] = [];
    server.on('GET /api/v1/chats/c1/tags', () => ({ body: tags }));
    server.on('GET /api/v1/chats/c2/tags', { body: [] });
    server.on('POST /api/v1/chats/c1/tags', (request: FakeRequest) => {
      const { name } = request.body as { name: string };
      tags = [...tags, { id: name, name }];
      return { body: tags };
    });
    server.on('DELETE /api/v1/chats/c1/tags', (request: FakeRequest) => {
      const { name } = request.body as { name: string };
      tags = tags.filter((tag) => tag.name !== name);
      return { body: tags };
    });
    server.on('GET /api/v1/chats/search?text=tag%3Awork&page=1', { body: [chat(1)] });
    await titles('Your chats');

    await user.click(screen.getByRole('button', { name: 'Actions for Chat 1' }));
    await user.click(screen.getByRole('button', { name: 'Edit tags' }));
    const editor = screen.getByRole('group', { name: 'Tags of Chat 1' });
    expect(within(editor).getByText('No tags yet.')).toBeInTheDocument();
    await user.type(within(editor).getByRole('textbox', { name: 'New tag' }), 'work{Enter}');
    await user.type(within(editor).getByRole('textbox', { name: 'New tag' }), 'urgent');
    await user.click(within(editor).getByRole('button', { name: 'Add tag' }));
    await within(editor).findByRole('button', { name: 'Remove tag urgent' });
    expect(server.callsTo('POST', '/api/v1/chats/c1/tags').map((r) => r.body)).toEqual([
      { name: 'work' },
      { name: 'urgent' },
    ]);

    await user.click(within(editor).getByRole('button', { name: 'Remove tag urgent' }));
    await waitFor(() =>
      expect(within(editor).queryByRole('button', { name: 'Remove tag urgent' })).toBeNull(),
    );
    expect(server.callsTo('DELETE', '/api/v1/chats/c1/tags')[0]?.body).toEqual({ name: 'urgent' });
    await user.click(within(editor).getByRole('button', { name: 'Done' }));

    const onRow = screen.getByRole('list', { name: 'Tags' });
    expect(
      within(onRow)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['work']);
    await user.click(within(onRow).getByRole('button', { name: 'Show chats tagged work' }));

    expect(screen.getByRole('searchbox', { name: 'Search chats' })).toHaveValue('tag:work');
    expect(await titles('Search results')).toEqual(['Chat 1']);
  });
  it('shows the tags and sharing the list carries without asking for each chat', async () => {
    const { server, user } = setup({
      list: [
        { ...chat(2), tags: ['work'], share_id: 's-2' },
        { ...chat(1), tags: [], share_id: null },
      ],
    });
    await titles('Your chats');
    const onRow = await screen.findByRole('list', { name: 'Tags' });
    expect(within(onRow).getByRole('button', { name: 'Show chats tagged work' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Actions for Chat 2' }));
    expect(screen.getByRole('button', { name: 'Stop sharing' })).toBeInTheDocument();
    expect(server.requests.filter((r) => /\/chats\/c\d/.test(r.path))).toEqual([]);
  });
});
