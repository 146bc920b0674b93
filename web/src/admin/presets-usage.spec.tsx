import { configure, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderApp } from '../testing/render-app';
import { ADMIN, settingsServer } from '../testing/settings-fakes';
import type { Preset } from './presets-api';

// Several calls in a row per step: give them time when the machine is busy (CI runs suites in parallel).
configure({ asyncUtilTimeout: 5_000 });
vi.setConfig({ testTimeout: 20_000 });

const PRESET: Preset = {
  id: 'helper',
  user_id: ADMIN.id,
  base_model_id: 'fake-model',
  name: 'Helper',
  params: { system: 'Be brief.' },
  meta: { description: null },
  knowledge_ids: [],
  access_control: null,
  is_active: true,
  created_at: 1,
  updated_at: 1,
  write_access: true,
};

describe('admin presets', () => {
  it('creates a preset on a base model and switches one off', async () => {
    const server = settingsServer(ADMIN);
    let presets: Preset[] = [PRESET];
    server.on('GET /api/v1/models/list', () => ({ body: presets }));
    server.on('POST /api/v1/models/create', (request) => {
      const body = request.body as Preset;
      presets = [...presets, { ...PRESET, ...body }];
      return { body: presets[presets.length - 1] };
    });
    server.on('POST /api/v1/models/model/update?id=helper', (request) => {
      presets = presets.map((p) => (p.id === 'helper' ? { ...p, ...(request.body as Partial<Preset>) } : p));
      return { body: presets[0] };
    });
    window.location.hash = '#/admin/presets';
    const { user } = renderApp({ server });

    expect(await screen.findByText('Helper')).toBeInTheDocument();
    await user.click(screen.getByRole('checkbox', { name: 'Active' }));
    expect(server.callsTo('POST', '/api/v1/models/model/update?id=helper')[0]!.body).toEqual({
      base_model_id: 'fake-model',
      name: 'Helper',
      meta: { description: null },
      params: { system: 'Be brief.' },
      access_control: null,
      is_active: false,
    });

    await user.type(screen.getByLabelText('Model id'), 'poet');
    await user.type(screen.getByLabelText('Display name'), 'Poet');
    await user.selectOptions(await screen.findByLabelText('Base model'), 'fake-model');
    await user.type(screen.getByLabelText('Temperature (optional)'), '1.2');
    await user.type(screen.getByLabelText('System prompt (optional)'), 'Answer in verse.');
    await user.click(screen.getByRole('button', { name: 'Create preset' }));
    expect(await screen.findByText('Poet')).toBeInTheDocument();
    expect(server.callsTo('POST', '/api/v1/models/create')[0]!.body).toEqual({
      id: 'poet',
      name: 'Poet',
      base_model_id: 'fake-model',
      meta: {},
      params: { system: 'Answer in verse.', temperature: 1.2 },
      is_active: true,
    });
  });
});

describe('admin usage', () => {
  it('shows usage with user names and sets a group quota', async () => {
    const server = settingsServer(ADMIN);
    server.on('GET /api/v1/usage/?page=1&limit=20', {
      body: {
        items: [
          {
            user_id: ADMIN.id,
            model: 'fake-model',
            date: '2026-11-22',
            prompt_tokens: 10,
            completion_tokens: 1990,
            total_tokens: 2000,
            requests: 3,
            estimated_requests: 0,
          },
        ],
        total: 1,
        page: 1,
        limit: 20,
        totals: { prompt_tokens: 10, completion_tokens: 1990, total_tokens: 2000, requests: 3 },
      },
    });
    server.on('GET /api/v1/users/?query=&page=1', {
      body: { users: [{ ...ADMIN, created_at: 1, updated_at: 1 }], total: 1 },
    });
    server.on('GET /api/v1/groups/', {
      body: [
        {
          id: 'g-1',
          name: 'Staff',
          description: '',
          permissions: {},
          user_ids: [],
          created_at: 1,
          updated_at: 1,
        },
      ],
    });
    let groups: unknown[] = [];
    server.on('GET /api/v1/usage/limits', () => ({
      body: { defaults: { requests_per_minute: null, tokens_per_day: 100000 }, users: [], groups },
    }));
    server.on('POST /api/v1/usage/limits/groups/g-1', (request) => {
      groups = [{ subject: 'group', id: 'g-1', ...(request.body as object), updated_at: 1 }];
      return { body: groups[0] };
    });
    window.location.hash = '#/admin/usage';
    const { user } = renderApp({ server });

    const table = await screen.findByRole('table', { name: 'Token usage' });
    expect(within(table).getByRole('cell', { name: 'Grace Admin' })).toBeInTheDocument();
    expect(within(table).getByRole('cell', { name: '2,000' })).toBeInTheDocument();
    expect(screen.getByText('In total: 2,000 tokens; requests: 3.')).toBeInTheDocument();
    expect(
      await screen.findByText(
        'Defaults for everyone: requests per minute: unlimited; tokens per day: 100,000.',
      ),
    ).toBeInTheDocument();

    await user.selectOptions(screen.getByLabelText('Who'), 'g-1');
    await user.type(screen.getByLabelText('Requests per minute'), '5');
    await user.click(screen.getByRole('button', { name: 'Set quota' }));
    expect(await screen.findByText('Requests per minute: 5 · tokens per day: inherited')).toBeInTheDocument();
    expect(server.callsTo('POST', '/api/v1/usage/limits/groups/g-1')[0]!.body).toEqual({
      requests_per_minute: 5,
      tokens_per_day: null,
    });
  });
});
