import { configure, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderApp } from '../testing/render-app';
import { ADMIN, settingsServer } from '../testing/settings-fakes';
import { isMaskedKey } from './connections-panel';

// Several calls in a row per step: give them time when the machine is busy (CI runs suites in parallel).
configure({ asyncUtilTimeout: 5_000 });
vi.setConfig({ testTimeout: 20_000 });

const STORED = {
  ENABLE_OPENAI_API: true,
  OPENAI_API_BASE_URLS: ['https://llm.example/v1'],
  OPENAI_API_KEYS: ['sk-…9f3a'],
  OPENAI_API_CONFIGS: { '0': { enable: true, prefix_id: '', model_ids: [] } },
};

function connectionsServer() {
  const server = settingsServer(ADMIN);
  let openai = STORED;
  server.on('GET /openai/config', () => ({ body: openai }));
  server.on('GET /ollama/config', {
    body: { ENABLE_OLLAMA_API: true, OLLAMA_BASE_URLS: [], OLLAMA_API_CONFIGS: {} },
  });
  server.on('POST /openai/config/update', (request) => {
    const body = request.body as typeof STORED;
    // The server answers with keys masked, as the real one does.
    openai = {
      ...body,
      OPENAI_API_KEYS: body.OPENAI_API_KEYS.map((k) => (k ? `${k.slice(0, 3)}…${k.slice(-4)}` : '')),
    };
    return { body: openai };
  });
  server.on('POST /openai/verify', (request) =>
    (request.body as { url: string }).url.includes('dead')
      ? { status: 502, body: { detail: 'The upstream did not answer.' } }
      : { body: { object: 'list', data: [{ id: 'm1' }, { id: 'm2' }] } },
  );
  return server;
}

describe('admin connections', () => {
  it('adds a connection with its key, verifies it and keeps the stored ones as they came', async () => {
    const server = connectionsServer();
    window.location.hash = '#/admin/connections';
    const { user } = renderApp({ server });
    const openai = await screen.findByRole('region', { name: 'OpenAI-compatible connections' });
    await within(openai).findByText('https://llm.example/v1');
    await user.type(within(openai).getByLabelText('Base URL'), 'http://fake.test/v1/');
    await user.type(within(openai).getByLabelText('API key (optional)'), 'sk-new-upstream-key');
    await user.click(within(openai).getByRole('button', { name: 'Add connection' }));

    expect(await within(openai).findByText('Connection verified. Models offered: 2.')).toBeInTheDocument();
    expect(server.callsTo('POST', '/openai/config/update')[0]!.body).toMatchObject({
      OPENAI_API_BASE_URLS: ['https://llm.example/v1', 'http://fake.test/v1'],
      OPENAI_API_KEYS: ['sk-…9f3a', 'sk-new-upstream-key'],
    });
    expect(server.callsTo('POST', '/openai/verify')[0]!.body).toEqual({
      url: 'http://fake.test/v1',
      key: 'sk-new-upstream-key',
    });
    expect(within(openai).getByText('sk-…-key')).toBeInTheDocument();
  });

  it('tests a stored connection without sending its masked key, and says when it fails', async () => {
    const server = connectionsServer();
    server.on('POST /openai/verify', { status: 502, body: { detail: 'The upstream did not answer.' } });
    window.location.hash = '#/admin/connections';
    const { user } = renderApp({ server });
    await user.click(await screen.findByRole('button', { name: 'Test https://llm.example/v1' }));
    expect(await screen.findByText('Connection failed: The upstream did not answer.')).toBeInTheDocument();
    expect(server.callsTo('POST', '/openai/verify')[0]!.body).toEqual({
      url: 'https://llm.example/v1',
      key: '',
    });
  });

  it('disables and removes a connection (after asking)', async () => {
    const server = connectionsServer();
    window.location.hash = '#/admin/connections';
    const { user } = renderApp({ server });
    const openai = await screen.findByRole('region', { name: 'OpenAI-compatible connections' });
    await user.click(await within(openai).findByRole('checkbox', { name: 'Enabled' }));
    expect(server.callsTo('POST', '/openai/config/update')[0]!.body).toMatchObject({
      OPENAI_API_CONFIGS: { '0': { enable: false } },
    });
    await user.click(within(openai).getByRole('button', { name: 'Remove https://llm.example/v1' }));
    await user.click(within(openai).getByRole('button', { name: 'Remove' }));
    expect(await within(openai).findByText('No connections yet.')).toBeInTheDocument();
    expect(server.callsTo('POST', '/openai/config/update')[1]!.body).toMatchObject({
      OPENAI_API_BASE_URLS: [],
    });
  });
});

describe('isMaskedKey', () => {
  it('tells a masked key from a real one', () => {
    expect(isMaskedKey('sk-…9f3a')).toBe(true);
    expect(isMaskedKey('****')).toBe(true);
    expect(isMaskedKey('sk-abc123')).toBe(false);
  });
});
