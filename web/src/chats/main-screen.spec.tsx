import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ChatListItem } from '../api';
import { chatDocument, MODELS } from '../testing/fake-chat';
import { createFakeServer } from '../testing/fake-server';
import { ADA, renderApp } from '../testing/render-app';

const LISBON: ChatListItem = { id: 'c-1', title: 'Trip to Lisbon', created_at: 1, updated_at: 2 };

function server(list: { status?: number; body: unknown }) {
  return createFakeServer({
    'GET /api/v1/auths/': { body: ADA },
    'GET /api/v1/chats/?page=1': list,
    'GET /api/v1/chats/c-1': { body: chatDocument(LISBON) },
    'GET /api/models': { body: { data: MODELS } },
  });
}

describe('MainScreen', () => {
  it('opens the chat named in the hash on load', async () => {
    window.location.hash = '#/c/c-1';
    renderApp({ server: server({ body: [LISBON] }) });
    expect(await screen.findByRole('heading', { level: 1, name: 'Trip to Lisbon' })).toBeInTheDocument();
  });

  it('says so when the hash names a chat that does not exist', async () => {
    window.location.hash = '#/c/c-unknown';
    renderApp({ server: server({ body: [LISBON] }) });
    expect(await screen.findByText('This chat is not in your list.')).toBeInTheDocument();
  });

  it('has a labelled toggle for the chat list on narrow screens', async () => {
    const { user } = renderApp({ server: server({ body: [LISBON] }) });
    const toggle = await screen.findByRole('button', { name: 'Hide chats' });
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await user.click(toggle);
    expect(screen.getByRole('button', { name: 'Show chats' })).toHaveAttribute('aria-expanded', 'false');
  });

  it('closes the chat list when a chat is opened by its address while the app is open', async () => {
    window.location.hash = '';
    renderApp({ server: server({ body: [LISBON] }) });
    expect(await screen.findByRole('button', { name: 'Hide chats' })).toHaveAttribute(
      'aria-expanded',
      'true',
    );
    act(() => {
      window.location.hash = '#/c/c-1';
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    });
    expect(await screen.findByRole('heading', { level: 1, name: 'Trip to Lisbon' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Show chats' })).toHaveAttribute('aria-expanded', 'false');
  });

  it('ends the session and asks to sign in again when the token has expired', async () => {
    localStorage.setItem('token', 'jwt-old');
    const { realtime } = renderApp({ server: server({ status: 401, body: { detail: 'Token expired' } }) });
    expect(await screen.findByText('Your session has ended. Please sign in again.')).toBeInTheDocument();
    expect(localStorage.getItem('token')).toBeNull();
    // The sockets close as the signed-out screen takes over (an effect after that render).
    await waitFor(() =>
      expect(realtime.connections.every((connection) => connection.disconnected)).toBe(true),
    );
  });
});
