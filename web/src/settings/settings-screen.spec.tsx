import { configure, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { resetThemeForTests } from '../theme/theme';
import { ADA, renderApp } from '../testing/render-app';
import { settingsServer } from '../testing/settings-fakes';

// Several calls in a row per step: give them time when the machine is busy (CI runs suites in parallel).
configure({ asyncUtilTimeout: 5_000 });
vi.setConfig({ testTimeout: 20_000 });

const FULL_KEY = 'sk-0123456789abcdef0123456789abcdef0123456789abcdef';

async function openSettings(server = settingsServer(), locale: 'en' | 'de' = 'en') {
  window.location.hash = '#/settings';
  const view = renderApp({ server, locale });
  await screen.findByRole('heading', { level: 1, name: locale === 'en' ? 'Settings' : 'Einstellungen' });
  return view;
}

describe('SettingsScreen', () => {
  beforeEach(() => resetThemeForTests());

  it('is reachable from the account menu', async () => {
    const { user } = renderApp({ server: settingsServer() });
    await user.click(await screen.findByRole('button', { name: 'Account menu for Ada Lovelace' }));
    expect(screen.queryByRole('link', { name: 'Admin panel' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('link', { name: 'Settings' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Settings' })).toBeInTheDocument();
    expect(window.location.hash).toBe('#/settings');
  });

  it('says when the current password is wrong', async () => {
    const server = settingsServer();
    server.on('POST /api/v1/auths/update/password', {
      status: 403,
      body: { detail: 'The current password is incorrect.' },
    });
    const { user } = await openSettings(server);
    await user.type(screen.getByLabelText('Current password'), 'not it');
    await user.type(screen.getByLabelText('New password'), 'a new long password');
    await user.type(screen.getByLabelText('Repeat the new password'), 'a new long password');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The current password is incorrect.');
    expect(server.callsTo('POST', '/api/v1/auths/update/password')[0]!.body).toEqual({
      password: 'not it',
      new_password: 'a new long password',
    });
  });

  it('says how long the new password must be, in the user’s language', async () => {
    const server = settingsServer();
    server.on('POST /api/v1/auths/update/password', {
      status: 400,
      body: { detail: 'The password must be at least 8 characters long.' },
    });
    const { user } = await openSettings(server, 'de');
    await user.type(screen.getByLabelText('Aktuelles Passwort'), 'the old one');
    await user.type(screen.getByLabelText('Neues Passwort'), 'short');
    await user.type(screen.getByLabelText('Neues Passwort wiederholen'), 'short');
    await user.click(screen.getByRole('button', { name: 'Passwort ändern' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Das neue Passwort ist zu kurz: Es braucht mindestens 8 Zeichen.',
    );
  });

  it('catches a mistyped repeat before asking the server', async () => {
    const server = settingsServer();
    const { user } = await openSettings(server);
    await user.type(screen.getByLabelText('Current password'), 'the old one');
    await user.type(screen.getByLabelText('New password'), 'first version');
    await user.type(screen.getByLabelText('Repeat the new password'), 'second version');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The two new passwords do not match.');
    expect(server.callsTo('POST', '/api/v1/auths/update/password')).toHaveLength(0);
  });

  it('changes the password and takes a fresh token for this tab', async () => {
    const server = settingsServer();
    server.on('POST /api/v1/auths/update/password', { body: true });
    server.on('POST /api/v1/auths/signin', {
      body: { ...ADA, token: 'jwt-fresh', token_type: 'Bearer', expires_at: null },
    });
    localStorage.setItem('token', 'jwt-old');
    const { user, api } = await openSettings(server);
    await user.type(screen.getByLabelText('Current password'), 'the old one');
    await user.type(screen.getByLabelText('New password'), 'a new long password');
    await user.type(screen.getByLabelText('Repeat the new password'), 'a new long password');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(
      await screen.findByText('Password changed. Other sessions have been signed out.'),
    ).toBeInTheDocument();
    expect(api.tokens.get()).toBe('jwt-fresh');
    expect(server.callsTo('POST', '/api/v1/auths/signin')[0]!.body).toEqual({
      email: ADA.email,
      password: 'a new long password',
    });
  });

  it('shows a new API key once, then only its masked form', async () => {
    const server = settingsServer();
    let created = false;
    server.on('POST /api/v1/auths/api_key', () => {
      created = true;
      return {
        body: { api_key: FULL_KEY, prefix: 'sk-0123', created_at: 1_700_000_000, last_used_at: null },
      };
    });
    server.on('GET /api/v1/auths/api_key', () =>
      created
        ? {
            body: {
              api_key: 'sk-0123••••••••',
              prefix: 'sk-0123',
              created_at: 1_700_000_000,
              last_used_at: null,
            },
          }
        : { status: 404, body: { detail: 'You have no API key; create one.' } },
    );
    const { user } = await openSettings(server);
    expect(await screen.findByText('You have no API key.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Create API key' }));

    const shown = await screen.findByLabelText('Your new API key. Copy it now: it will not be shown again.');
    expect(shown).toHaveValue(FULL_KEY);
    await user.click(screen.getByRole('button', { name: 'Done' }));

    expect(await screen.findByTestId('masked-api-key')).toHaveTextContent('sk-0123••••••••');
    expect(screen.queryByDisplayValue(FULL_KEY)).not.toBeInTheDocument();
    expect(document.body.textContent).not.toContain(FULL_KEY);
  });

  it('revokes the API key after asking', async () => {
    const server = settingsServer();
    server.on('GET /api/v1/auths/api_key', {
      body: { api_key: 'sk-0123••••••••', prefix: 'sk-0123', created_at: 1_700_000_000, last_used_at: null },
    });
    server.on('DELETE /api/v1/auths/api_key', { body: true });
    const { user } = await openSettings(server);
    await user.click(await screen.findByRole('button', { name: 'Revoke' }));
    expect(server.callsTo('DELETE', '/api/v1/auths/api_key')).toHaveLength(0);
    const question = screen.getByRole('group', { name: /Revoke the key\?/ });
    expect(within(question).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.click(within(question).getByRole('button', { name: 'Revoke key' }));
    expect(await screen.findByText('You have no API key.')).toBeInTheDocument();
    expect(server.callsTo('DELETE', '/api/v1/auths/api_key')).toHaveLength(1);
  });

  it('switches the theme at once and remembers it', async () => {
    const { user } = await openSettings();
    expect(screen.getByRole('radio', { name: 'System' })).toBeChecked();
    await user.click(screen.getByRole('radio', { name: 'Dark' }));
    expect(document.documentElement).toHaveClass('dark');
    expect(localStorage.getItem('theme')).toBe('dark');
    await user.click(screen.getByRole('radio', { name: 'Light' }));
    expect(document.documentElement).toHaveClass('light');
    expect(document.documentElement).not.toHaveClass('dark');
    await user.click(screen.getByRole('radio', { name: 'System' }));
    expect(document.documentElement).not.toHaveClass('light');
    expect(localStorage.getItem('theme')).toBeNull();
  });

  it('saves the default model in the user’s settings on the server', async () => {
    const server = settingsServer();
    server.on('GET /api/v1/users/user/settings', { body: { ui: { notifications: true } } });
    server.on('POST /api/v1/users/user/settings/update', (request) => ({ body: request.body }));
    const { user } = await openSettings(server);
    const select = screen.getByLabelText('Model for new chats');
    await screen.findByRole('option', { name: 'Fake Model' });
    await user.selectOptions(select, 'fake-model');
    expect(await screen.findByText('Default model saved.')).toBeInTheDocument();
    expect(server.callsTo('POST', '/api/v1/users/user/settings/update')[0]!.body).toEqual({
      ui: { notifications: true, models: ['fake-model'] },
    });
    await waitFor(() => expect(select).toHaveValue('fake-model'));
  });

  it('opens from the chats after the chat view has cached the model list', async () => {
    const view = renderApp({ server: settingsServer() });
    // The chat view's own shape of the model list, under its key.
    view.queryClient.setQueryData(['models'], { data: [{ id: 'fake-model', name: 'Fake Model' }] });
    window.location.hash = '#/settings';
    expect(await screen.findByRole('heading', { level: 1, name: 'Settings' })).toBeInTheDocument();
    expect(await screen.findByRole('option', { name: 'Fake Model' })).toBeInTheDocument();
  });

  it('saves the profile and shows the new name', async () => {
    const server = settingsServer();
    let name = ADA.name;
    server.on('GET /api/v1/auths/', () => ({ body: { ...ADA, name } }));
    server.on('POST /api/v1/auths/update/profile', (request) => {
      name = (request.body as { name: string }).name;
      return { body: { ...ADA, name } };
    });
    const { user } = await openSettings(server);
    const field = screen.getByLabelText('Name');
    await user.clear(field);
    await user.type(field, 'Ada King');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Profile saved.')).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'Account menu for Ada King' })).toBeInTheDocument();
  });
});
