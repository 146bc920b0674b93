import { act, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Knowledge } from '../api';
import { createFakeServer, type FakeRequest } from '../testing/fake-server';
import { ADA, renderApp } from '../testing/render-app';

const file = (id: string, name: string, status: 'pending' | 'indexed' = 'pending') => ({
  id,
  meta: { name, content_type: 'application/pdf', size: 2048 },
  created_at: 1,
  updated_at: 1,
  status,
  chunk_count: status === 'indexed' ? 4 : 0,
});

function base(id: string, name: string, change: Partial<Knowledge> = {}): Knowledge {
  return {
    id,
    user_id: ADA.id,
    name,
    description: '',
    data: { file_ids: [] },
    meta: {},
    access_control: { read: { group_ids: [], user_ids: [] }, write: { group_ids: [], user_ids: [] } },
    created_at: 1,
    updated_at: 1,
    write_access: true,
    files: [],
    ...change,
  };
}

function setup(bases: Knowledge[], permissions = { workspace: { knowledge: true } }) {
  const server = createFakeServer({
    'GET /api/v1/auths/': { body: ADA },
    'GET /api/v1/knowledge/': { body: bases },
    'GET /api/v1/users/permissions': { body: permissions },
    'GET /api/v1/files/?content=false': { body: [] },
  });
  for (const kb of bases) server.on(`GET /api/v1/knowledge/${kb.id}`, { body: kb });
  return renderApp({ server });
}

describe('Knowledge page', () => {
  beforeEach(() => {
    window.location.hash = '#/workspace/knowledge';
  });

  it('lists the bases ten to a page', async () => {
    const many = Array.from({ length: 12 }, (_, i) => base(`kb-${i}`, `Base ${i}`));
    const { user } = setup(many);
    const list = await screen.findByRole('list', { name: 'Knowledge bases' }, { timeout: 5000 });
    expect(within(list).getAllByRole('listitem')).toHaveLength(10);
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(
      within(list)
        .getAllByRole('link')
        .map((a) => a.textContent),
    ).toEqual(['Base 10', 'Base 11']);
  });

  it('creates a private base and opens it', async () => {
    const { server, user } = setup([]);
    const created = base('kb-new', 'Handbook', { description: 'Staff rules' });
    server.on('POST /api/v1/knowledge/create', (request: FakeRequest) => {
      expect(request.body).toEqual({
        name: 'Handbook',
        description: 'Staff rules',
        access_control: created.access_control,
      });
      return { body: created };
    });
    server.on('GET /api/v1/knowledge/kb-new', { body: created });
    await user.type(await screen.findByLabelText('Name', {}, { timeout: 5000 }), 'Handbook');
    await user.type(screen.getByLabelText('Description'), 'Staff rules');
    expect(screen.getByRole('radio', { name: 'Only me' })).toBeChecked();
    await user.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(window.location.hash).toBe('#/workspace/knowledge/kb-new'));
    expect(await screen.findByRole('heading', { name: 'Handbook' })).toBeInTheDocument();
    expect(server.callsTo('POST', '/api/v1/knowledge/create')).toHaveLength(1);
  });

  it('shows a file’s indexing state live from file:status, and searches with file and page', async () => {
    window.location.hash = '#/workspace/knowledge/kb-1';
    const kb = base('kb-1', 'Handbook', {
      data: { file_ids: ['f-1'] },
      files: [file('f-1', 'handbook.pdf')],
    });
    const { server, user, realtime } = setup([kb]);
    const row = (await screen.findByRole('rowheader', { name: 'handbook.pdf' }, { timeout: 5000 })).closest(
      'tr',
    )!;
    expect(row).toHaveTextContent('Waiting');
    act(() =>
      realtime.current.serverEmit('file:status', {
        v: 1,
        file_id: 'f-1',
        user_id: ADA.id,
        state: 'FILE_INDEX_STATE_INDEXED',
        chunk_count: 3,
        stage: 'index',
      }),
    );
    await waitFor(() => expect(row).toHaveTextContent('Indexed (3 passages)'));

    server.on('POST /api/v1/retrieval/query/collection', {
      body: {
        distances: [[0.9]],
        documents: [['The office opens at nine.']],
        metadatas: [
          [
            {
              file_id: 'f-1',
              name: 'handbook.pdf',
              source: 'handbook.pdf',
              page: 2,
              heading: '',
              knowledge_base_id: 'kb-1',
              position: 0,
              score: 0.9,
            },
          ],
        ],
      },
    });
    await user.type(screen.getByRole('searchbox', { name: 'Question or keywords' }), 'opening hours');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    const hits = await screen.findByRole('list', { name: 'Search results' });
    expect(hits).toHaveTextContent('handbook.pdf (p. 2)');
    expect(hits).toHaveTextContent('The office opens at nine.');
    expect(server.callsTo('POST', '/api/v1/retrieval/query/collection')[0]!.body).toEqual({
      collection_names: ['kb-1'],
      query: 'opening hours',
    });
  });

  it('removes a file and deletes the base after asking', async () => {
    window.location.hash = '#/workspace/knowledge/kb-1';
    const kb = base('kb-1', 'Handbook', {
      data: { file_ids: ['f-1'] },
      files: [file('f-1', 'handbook.pdf', 'indexed')],
    });
    const { server, user } = setup([kb]);
    server.on('POST /api/v1/knowledge/kb-1/file/remove', {
      body: { ...kb, data: { file_ids: [] }, files: [] },
    });
    server.on('DELETE /api/v1/knowledge/kb-1/delete', { body: { status: true } });
    await user.click(await screen.findByRole('button', { name: 'Remove handbook.pdf' }, { timeout: 5000 }));
    expect(await screen.findByText(/No files yet/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Delete knowledge base' }));
    expect(server.callsTo('DELETE', '/api/v1/knowledge/kb-1/delete')).toHaveLength(0);
    const confirm = screen.getAllByRole('button', { name: 'Delete knowledge base' }).at(-1)!;
    await user.click(confirm);
    await waitFor(() => expect(window.location.hash).toBe('#/workspace/knowledge'));
    expect(server.callsTo('DELETE', '/api/v1/knowledge/kb-1/delete')).toHaveLength(1);
  });

  it('offers the page in the account menu only with the permission', async () => {
    window.location.hash = '#/settings';
    const { user, server } = setup([], { workspace: { knowledge: false } });
    server.on('GET /api/v1/users/user/settings', { body: {} });
    await user.click(await screen.findByRole('button', { name: /Account menu/ }, { timeout: 5000 }));
    await waitFor(() => expect(server.callsTo('GET', '/api/v1/users/permissions')).toHaveLength(1));
    expect(screen.queryByRole('link', { name: 'Knowledge' })).toBeNull();
  });
});
