import { configure, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { AdminUser } from './admin-api';
import { renderApp } from '../testing/render-app';
import { ADMIN, settingsServer } from '../testing/settings-fakes';

// Several calls in a row per step: give them time when the machine is busy (CI runs suites in parallel).
configure({ asyncUtilTimeout: 5_000 });
vi.setConfig({ testTimeout: 20_000 });

const row = (id: string, name: string, role: AdminUser['role'], email = `${id}@example.com`): AdminUser => ({
  id,
  name,
  email,
  role,
  profile_image_url: '/user.png',
  created_at: 1_700_000_000,
  updated_at: 1_700_000_000,
  last_active_at: 0,
});

const GRACE = row(ADMIN.id, ADMIN.name, 'admin', ADMIN.email);
const BOB = row('u-bob', 'Bob Pending', 'pending');
const CAROL = row('u-carol', 'Carol User', 'user');

/** A gateway with an admin signed in and a users table the fake routes edit. */
function adminServer(initial: AdminUser[] = [GRACE, BOB, CAROL]) {
  const server = settingsServer(ADMIN);
  let users = [...initial];
  const list = (query: string, page: number) => {
    const matching = users.filter((u) => `${u.name} ${u.email}`.toLowerCase().includes(query.toLowerCase()));
    return { body: { users: matching.slice((page - 1) * 2, page * 2), total: matching.length } };
  };
  for (const query of ['', 'carol', 'Carol']) {
    for (const page of [1, 2]) {
      server.on(`GET /api/v1/users/?query=${query}&page=${page}`, () => list(query, page));
    }
  }
  for (const user of initial) {
    server.on(`POST /api/v1/users/${user.id}/update`, (request) => {
      users = users.map((u) => (u.id === user.id ? { ...u, ...(request.body as Partial<AdminUser>) } : u));
      return { body: users.find((u) => u.id === user.id) };
    });
    server.on(`DELETE /api/v1/users/${user.id}`, () => {
      users = users.filter((u) => u.id !== user.id);
      return { body: true };
    });
  }
  return server;
}

async function openUsers(server = adminServer()) {
  window.location.hash = '#/admin/users';
  const view = renderApp({ server });
  await screen.findByRole('heading', { level: 2, name: 'Users' });
  return view;
}

describe('admin users', () => {
  it('is offered to admins in the account menu', async () => {
    const { user } = renderApp({ server: adminServer() });
    await user.click(await screen.findByRole('button', { name: 'Account menu for Grace Admin' }));
    await user.click(screen.getByRole('link', { name: 'Admin panel' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Administration' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Users' })).toHaveAttribute('aria-current', 'page');
  });

  it('approves a pending user', async () => {
    const server = adminServer();
    const { user } = await openUsers(server);
    await user.click(await screen.findByRole('button', { name: 'Approve Bob Pending' }));
    await waitFor(() =>
      expect(screen.queryByRole('button', { name: 'Approve Bob Pending' })).not.toBeInTheDocument(),
    );
    expect(server.callsTo('POST', '/api/v1/users/u-bob/update')[0]!.body).toEqual({ role: 'user' });
    expect(screen.getByRole('combobox', { name: 'Role of Bob Pending' })).toHaveValue('user');
  });

  it('changes a role, but never the admin’s own', async () => {
    const server = adminServer();
    const { user } = await openUsers(server);
    expect(await screen.findByRole('combobox', { name: 'Role of Grace Admin' })).toBeDisabled();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Role of Bob Pending' }), 'admin');
    expect(server.callsTo('POST', '/api/v1/users/u-bob/update')[0]!.body).toEqual({ role: 'admin' });
    await waitFor(() =>
      expect(screen.getByRole('combobox', { name: 'Role of Bob Pending' })).toHaveValue('admin'),
    );
  });

  it('shows the server’s refusal', async () => {
    const server = adminServer();
    server.on('POST /api/v1/users/u-carol/update', {
      status: 412,
      body: { detail: 'This is the last administrator; make another user an admin first.' },
    });
    const { user } = await openUsers(server);
    await user.click(await screen.findByRole('button', { name: 'Next' }));
    await user.selectOptions(await screen.findByRole('combobox', { name: 'Role of Carol User' }), 'pending');
    expect(await screen.findByRole('alert')).toHaveTextContent('This is the last administrator');
  });

  it('searches by name and pages through the list', async () => {
    const server = adminServer();
    const { user } = await openUsers(server);
    expect(await screen.findByText('1–2 of 3')).toBeInTheDocument();
    expect(screen.queryByText('Carol User')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('Carol User')).toBeInTheDocument();
    expect(screen.getByText('3–3 of 3')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled();

    await user.type(screen.getByRole('searchbox', { name: 'Search users' }), 'carol');
    expect(await screen.findByText('1–1 of 1')).toBeInTheDocument();
    const list = screen.getByRole('list', { name: 'Users' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(1);
    expect(within(list).getByText('Carol User')).toBeInTheDocument();
    expect(server.callsTo('GET', '/api/v1/users/?query=carol&page=1')).toHaveLength(1);
  });

  it('deletes a user only after confirmation', async () => {
    const server = adminServer();
    const { user } = await openUsers(server);
    await user.click(await screen.findByRole('button', { name: 'Delete Bob Pending' }));
    expect(server.callsTo('DELETE', '/api/v1/users/u-bob')).toHaveLength(0);
    const question = screen.getByRole('group', { name: /Delete Bob Pending\?/ });
    await user.click(within(question).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(screen.queryByText('Bob Pending')).not.toBeInTheDocument());
    expect(server.callsTo('DELETE', '/api/v1/users/u-bob')).toHaveLength(1);
  });

  it('is not there for a normal user: no menu entry, and the page refuses', async () => {
    window.location.hash = '#/admin/users';
    const { user } = renderApp({ server: settingsServer() });
    expect(await screen.findByText('Only administrators can open this page.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Account menu for Ada Lovelace' }));
    expect(screen.queryByRole('link', { name: 'Admin panel' })).not.toBeInTheDocument();
  });
});
