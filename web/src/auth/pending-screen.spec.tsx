import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createFakeServer } from '../testing/fake-server';
import { ADA, renderApp } from '../testing/render-app';

const PENDING_ADA = { ...ADA, role: 'pending' as const };

describe('PendingScreen', () => {
  it('explains that an administrator must approve the account and opens no socket', async () => {
    localStorage.setItem('token', 'jwt-pending');
    const server = createFakeServer({ 'GET /api/v1/auths/': { body: PENDING_ADA } });
    const { realtime } = renderApp({ server });

    expect(await screen.findByRole('heading', { name: 'Account activation pending' })).toBeInTheDocument();
    expect(screen.getByText(/waiting for an administrator to approve/)).toBeInTheDocument();
    expect(screen.getByText('Signed in as ada@example.com')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'New chat' })).not.toBeInTheDocument();
    expect(realtime.connections).toHaveLength(0);
    expect(server.requests[0]?.headers['Authorization']).toBe('Bearer jwt-pending');
  });

  it('signs out: calls the server, forgets the token and shows sign-in', async () => {
    localStorage.setItem('token', 'jwt-pending');
    const server = createFakeServer({
      'GET /api/v1/auths/': { body: PENDING_ADA },
      'GET /api/v1/auths/signout': { body: { status: true } },
    });
    const { user } = renderApp({ server });

    await user.click(await screen.findByRole('button', { name: 'Sign out' }));

    expect(await screen.findByRole('heading', { name: 'Sign in to Parley' })).toBeInTheDocument();
    expect(server.callsTo('GET', '/api/v1/auths/signout')).toHaveLength(1);
    expect(localStorage.getItem('token')).toBeNull();
  });

  it('"Check again" stays when still pending and moves on once approved', async () => {
    const server = createFakeServer({
      'GET /api/v1/auths/': { body: PENDING_ADA },
      'GET /api/v1/chats/?page=1': { body: [] },
    });
    const { user } = renderApp({ server });

    await user.click(await screen.findByRole('button', { name: 'Check again' }));
    expect(await screen.findByText('Still waiting for approval.')).toBeInTheDocument();

    server.on('GET /api/v1/auths/', { body: ADA });
    await user.click(screen.getByRole('button', { name: 'Check again' }));
    expect(await screen.findByRole('button', { name: 'New chat' })).toBeInTheDocument();
  });
  it('after an approval ended the pending session, the sign-in form says to sign in again', async () => {
    localStorage.setItem('token', 'jwt-pending');
    const server = createFakeServer({ 'GET /api/v1/auths/': { body: PENDING_ADA } });
    const { user } = renderApp({ server });

    await screen.findByRole('heading', { name: 'Account activation pending' });
    // Approval is a role change, which revokes the pending token.
    server.on('GET /api/v1/auths/', { status: 401, body: { detail: 'This session has ended.' } });
    await user.click(screen.getByRole('button', { name: 'Check again' }));

    expect(await screen.findByRole('heading', { name: 'Sign in to Parley' })).toBeInTheDocument();
    expect(screen.getByText(/has approved your account, sign in again/)).toBeInTheDocument();
    expect(localStorage.getItem('token')).toBeNull();
  });
});
