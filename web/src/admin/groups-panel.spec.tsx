import { configure, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderApp } from '../testing/render-app';
import { ADMIN, settingsServer } from '../testing/settings-fakes';
import type { Group } from './admin-api';

// Several calls in a row per step: give them time when the machine is busy (CI runs suites in parallel).
configure({ asyncUtilTimeout: 5_000 });
vi.setConfig({ testTimeout: 20_000 });

describe('admin groups', () => {
  it('creates a group, grants a permission and adds a member', async () => {
    const server = settingsServer(ADMIN);
    let groups: Group[] = [];
    server.on('GET /api/v1/groups/', () => ({ body: groups }));
    server.on('POST /api/v1/groups/create', (request) => {
      const body = request.body as { name: string; description: string };
      groups = [{ id: 'g-1', ...body, permissions: {}, user_ids: [], created_at: 1, updated_at: 1 }];
      return { body: groups[0] };
    });
    server.on('POST /api/v1/groups/id/g-1/update', (request) => {
      groups = [{ ...groups[0]!, ...(request.body as Partial<Group>) }];
      return { body: groups[0] };
    });
    server.on('GET /api/v1/users/?query=&page=1', {
      body: {
        users: [
          { ...ADMIN, created_at: 1, updated_at: 1 },
          {
            id: 'u-bob',
            name: 'Bob',
            email: 'bob@example.com',
            role: 'user',
            profile_image_url: '',
            created_at: 1,
            updated_at: 1,
          },
        ],
        total: 2,
      },
    });
    window.location.hash = '#/admin/groups';
    const { user } = renderApp({ server });

    expect(await screen.findByText('No groups yet.')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Group name'), 'Researchers');
    await user.click(screen.getByRole('button', { name: 'Create group' }));

    // The new group opens for editing.
    const editor = await screen.findByRole('group', { name: 'Permissions this group grants' });
    await user.click(within(editor).getByRole('checkbox', { name: 'workspace.models' }));
    await user.click(await screen.findByRole('checkbox', { name: /Bob/ }));
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Saved.')).toBeInTheDocument();
    expect(server.callsTo('POST', '/api/v1/groups/create')[0]!.body).toEqual({
      name: 'Researchers',
      description: '',
    });
    expect(server.callsTo('POST', '/api/v1/groups/id/g-1/update')[0]!.body).toEqual({
      permissions: { 'workspace.models': true },
      user_ids: ['u-bob'],
    });
    expect(await screen.findByText(/Members: 1/)).toBeInTheDocument();
  });

  it("shows the permissions a group grants from the server's nested shape (Open WebUI's)", async () => {
    const server = settingsServer(ADMIN);
    const group: Group = {
      id: 'g-2',
      name: 'Builders',
      description: '',
      permissions: { workspace: { models: true, knowledge: false }, chat: { delete: true } },
      user_ids: [],
      created_at: 1,
      updated_at: 1,
    };
    server.on('GET /api/v1/groups/', { body: [group] });
    server.on('GET /api/v1/users/?query=&page=1', { body: { users: [], total: 0 } });
    window.location.hash = '#/admin/groups';
    const { user } = renderApp({ server });

    await user.click(await screen.findByRole('button', { name: /Builders/ }));
    const editor = await screen.findByRole('group', { name: 'Permissions this group grants' });
    expect(within(editor).getByRole('checkbox', { name: 'workspace.models' })).toBeChecked();
    expect(within(editor).getByRole('checkbox', { name: 'chat.delete' })).toBeChecked();
    expect(within(editor).getByRole('checkbox', { name: 'workspace.knowledge' })).not.toBeChecked();
  });
});
