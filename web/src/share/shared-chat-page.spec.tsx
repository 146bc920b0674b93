import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chatDocument, MODELS, tree } from '../testing/fake-chat';
import { createFakeServer } from '../testing/fake-server';
import { ADA, renderApp, signInResponse } from '../testing/render-app';
import { sharedIdFromPath } from './share-route';

const ITEM = { id: 'c-bob', title: 'Bob’s recipe', created_at: 1_700_000_000, updated_at: 1_700_000_000 };
// Two answers to the same question; the owner was looking at the second one.
const HISTORY = tree(
  [
    { id: 'q', role: 'user', content: 'How do I bake bread?' },
    { id: 'a1', parentId: 'q', role: 'assistant', content: 'First answer, not in view', model: 'gpt-fake' },
    { id: 'a2', parentId: 'q', role: 'assistant', content: 'Knead **well**.', model: 'gpt-fake' },
  ],
  'a2',
);
const SHARED = chatDocument(ITEM, HISTORY, { user_id: 'u-bob', share_id: 'sh-1' });

function server(signedIn = true) {
  return createFakeServer({
    'GET /api/v1/auths/': signedIn ? { body: ADA } : { status: 401, body: { detail: 'Not authenticated' } },
    'GET /api/v1/chats/share/sh-1': { body: SHARED },
    'GET /api/v1/chats/?page=1': { body: [] },
    'GET /api/v1/chats/pinned': { body: [] },
    'GET /api/v1/folders/': { body: [] },
    'GET /api/models': { body: { data: MODELS } },
  });
}

beforeEach(() => window.history.replaceState(null, '', '/s/sh-1'));
afterEach(() => window.history.replaceState(null, '', '/'));

describe('the shared chat page', () => {
  it('reads the share id from the path only', () => {
    expect(sharedIdFromPath('/s/sh-1')).toBe('sh-1');
    expect(sharedIdFromPath('/s/a%20b/')).toBe('a b');
    expect(sharedIdFromPath('/s/')).toBeNull();
    expect(sharedIdFromPath('/c/x')).toBeNull();
  });

  it('shows the branch in view, read-only, and saves a copy that then opens', async () => {
    const fake = server();
    const copy = chatDocument({ ...ITEM, id: 'c-copy' }, HISTORY);
    fake.on('POST /api/v1/chats/sh-1/clone/shared', { body: copy });
    fake.on('GET /api/v1/chats/c-copy', { body: copy });
    const { user } = renderApp({ server: fake });

    const article = await screen.findByRole('article', { name: 'Bob’s recipe' });
    expect(within(article).getByText('Shared chat')).toBeInTheDocument();
    expect(within(article).getByText('How do I bake bread?')).toBeInTheDocument();
    expect(await within(article).findByText('well')).toHaveProperty('tagName', 'STRONG');
    expect(within(article).queryByText('First answer, not in view')).toBeNull();
    expect(within(article).getByRole('heading', { name: 'User' })).toBeInTheDocument();
    for (const name of ['Edit', 'Regenerate', 'Previous version', 'Good response'])
      expect(within(article).queryByRole('button', { name })).toBeNull();
    expect(screen.queryByRole('textbox', { name: 'Message' })).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Save a copy to my chats' }));

    expect(fake.callsTo('POST', '/api/v1/chats/sh-1/clone/shared')).toHaveLength(1);
    await waitFor(() => expect(window.location.pathname).toBe('/'));
    expect(window.location.hash).toBe('#/c/c-copy');
    expect(await screen.findByRole('textbox', { name: 'Message' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Bob’s recipe' })).toBeInTheDocument();
  });

  it('asks a signed-out visitor to sign in, then shows the shared chat', async () => {
    const fake = server(false);
    fake.on('POST /api/v1/auths/signin', { body: signInResponse(ADA) });
    const { user } = renderApp({ server: fake });

    await user.type(await screen.findByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    expect(fake.callsTo('GET', '/api/v1/chats/share/sh-1')).toHaveLength(0);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('article', { name: 'Bob’s recipe' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/s/sh-1');
  });

  it('says so when the link is unknown or no longer shared, and leads back to the chats', async () => {
    window.history.replaceState(null, '', '/s/gone');
    const fake = server();
    fake.on('GET /api/v1/chats/share/gone', { status: 404, body: { detail: 'Chat not found' } });
    const { user } = renderApp({ server: fake, locale: 'de' });

    expect(await screen.findByRole('heading', { name: 'Geteilter Chat nicht gefunden' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('nicht mehr geteilt');

    await user.click(screen.getByRole('link', { name: 'Zurück zu meinen Chats' }));
    expect(await screen.findByRole('navigation', { name: 'Chats' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/');
  });
});
