import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatListItem } from '../api';
import { fakeLayout, renderChat } from '../testing/fake-chat';
import { fakeFile } from '../testing/file-fakes';
import { hashQueryAt } from './hash-picker';

const CHAT: ChatListItem = { id: 'c-1', title: 'Questions', created_at: 1, updated_at: 2 };
const kb = (id: string, name: string) => ({
  id,
  user_id: 'u-ada',
  name,
  description: '',
  data: { file_ids: [] },
  meta: {},
  access_control: null,
  created_at: 1,
  updated_at: 1,
  write_access: true,
  files: [],
});

describe('hashQueryAt', () => {
  it('finds the #word before the caret at the start or after a space, not inside a word', () => {
    expect(hashQueryAt('#hand', 5)).toEqual({ query: 'hand', start: 0 });
    expect(hashQueryAt('see #', 5)).toEqual({ query: '', start: 4 });
    expect(hashQueryAt('issue#12', 8)).toBeNull();
    expect(hashQueryAt('#hand book', 10)).toBeNull();
  });
});

describe('# in the composer', () => {
  let undoLayout: () => void;
  beforeEach(() => {
    undoLayout = fakeLayout();
    window.location.hash = '#/c/c-1';
  });
  afterEach(() => undoLayout());

  function setup() {
    const view = renderChat(CHAT);
    view.server.on('GET /api/v1/knowledge/', { body: [kb('kb-1', 'Staff handbook'), kb('kb-2', 'Recipes')] });
    view.server.on('GET /api/v1/files/?content=false', { body: [fakeFile('f-1', 'handbook-notes.txt')] });
    return view;
  }

  it('picks a knowledge base with the keyboard and sends it as a collection in the completion', async () => {
    const { server, user } = setup();
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Model' })).not.toBeDisabled());
    const box = screen.getByRole('textbox', { name: 'Message' });
    await user.type(box, 'When do we open? #hand');
    const listbox = await screen.findByRole('listbox', { name: 'Knowledge bases and files' });
    await waitFor(() => expect(within(listbox).getAllByRole('option')).toHaveLength(2));
    const options = within(listbox).getAllByRole('option');
    expect(options.map((o) => o.textContent)).toEqual([
      'Knowledge base Staff handbook',
      'File handbook-notes.txt',
    ]);
    expect(options[0]).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('{ArrowDown}{ArrowUp}{Enter}');
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(box).toHaveValue('When do we open? ');
    expect(screen.getByRole('list', { name: 'Knowledge to search' })).toHaveTextContent('Staff handbook');

    await user.keyboard('{Enter}');
    await waitFor(() => expect(server.callsTo('POST', '/api/chat/completions')).toHaveLength(1));
    const body = server.callsTo('POST', '/api/chat/completions')[0]!.body as {
      files: unknown;
      messages: { files?: unknown[] }[];
    };
    expect(body.files).toEqual([{ type: 'collection', id: 'kb-1', name: 'Staff handbook' }]);
    expect(body.messages[0]!.files).toEqual([expect.objectContaining({ type: 'collection', id: 'kb-1' })]);
    expect(screen.queryByRole('list', { name: 'Knowledge to search' })).toBeNull();
  });

  it('closes on Escape and keeps the text; a mouse pick of a file attaches the file', async () => {
    const { user } = setup();
    const box = await screen.findByRole('textbox', { name: 'Message' });
    await user.type(box, '#');
    await screen.findByRole('listbox');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(box).toHaveValue('#');
    await user.type(box, 'notes');
    const option = await screen.findByRole('option', { name: 'File handbook-notes.txt' });
    await user.pointer({ keys: '[MouseLeft>]', target: option });
    expect(screen.getByRole('list', { name: 'Knowledge to search' })).toHaveTextContent('handbook-notes.txt');
    expect(box).toHaveValue('');
  });
});
