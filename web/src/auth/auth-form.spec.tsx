import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createFakeServer } from '../testing/fake-server';
import { ADA, renderApp, signInResponse } from '../testing/render-app';

const WRONG_PASSWORD =
  'The email or password provided is incorrect. Please check for typos and try logging in again.';

function signedOutServer() {
  return createFakeServer({
    'GET /api/v1/auths/': { status: 401, body: { detail: 'Not authenticated' } },
    'GET /api/v1/chats/?page=1': { body: [] },
  });
}

describe('AuthForm', () => {
  it('signs in with email and password, stores the token and opens the chats', async () => {
    const server = signedOutServer();
    server.on('POST /api/v1/auths/signin', { body: signInResponse(ADA, 'jwt-ada') });
    const { user, realtime } = renderApp({ server });

    await user.type(await screen.findByLabelText('Email'), ' ada@example.com ');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('button', { name: 'New chat' })).toBeInTheDocument();
    expect(server.callsTo('POST', '/api/v1/auths/signin')[0]?.body).toEqual({
      email: 'ada@example.com',
      password: 'correct horse',
    });
    expect(localStorage.getItem('token')).toBe('jwt-ada');
    expect(realtime.current.token).toBe('jwt-ada');
  });

  it('shows the server detail when sign-in is refused with 401', async () => {
    const server = signedOutServer();
    server.on('POST /api/v1/auths/signin', { status: 401, body: { detail: WRONG_PASSWORD } });
    const { user } = renderApp({ server });

    await user.type(await screen.findByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent(WRONG_PASSWORD);
    expect(screen.getByRole('form', { name: 'Sign in to Parley' })).toHaveAccessibleDescription(
      WRONG_PASSWORD,
    );
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled();
    expect(localStorage.getItem('token')).toBeNull();
  });

  it('says the server is unreachable when the request fails', async () => {
    const server = signedOutServer();
    const { user } = renderApp({ server });
    await screen.findByLabelText('Email');
    server.fetch.mockRejectedValueOnce(new TypeError('Failed to fetch'));

    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'pw');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Cannot reach the server');
  });

  it('toggles to sign-up, which sends the name too', async () => {
    const server = signedOutServer();
    server.on('POST /api/v1/auths/signup', {
      status: 400,
      body: { detail: 'Uh-oh! This email is already registered.' },
    });
    const { user } = renderApp({ server });

    await user.click(await screen.findByRole('button', { name: 'Sign up' }));
    expect(screen.getByRole('heading', { name: 'Create your Parley account' })).toBeInTheDocument();
    await user.type(screen.getByLabelText('Name'), 'Ada');
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'pw');
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('This email is already registered.');
    expect(server.callsTo('POST', '/api/v1/auths/signup')[0]?.body).toEqual({
      name: 'Ada',
      email: 'ada@example.com',
      password: 'pw',
    });
  });

  it('is translated into German', async () => {
    renderApp({ server: signedOutServer(), locale: 'de' });
    expect(await screen.findByRole('heading', { name: 'Bei Parley anmelden' })).toBeInTheDocument();
    expect(screen.getByLabelText('Passwort')).toBeInTheDocument();
  });
});
