import { randomUUID } from 'node:crypto';
import { Stack, startStack } from '@parley/testing';
import { createGroup, request, SignedUp, signUpsFrom, untilStatus } from './support/http';

const signUpAs = signUpsFrom('2001:db8:9c::');

interface PromptJson {
  command: string;
  user_id: string;
  title: string;
  content: string;
  timestamp: number;
  access_control: unknown;
  write_access: boolean;
  user?: { id: string; name: string } | null;
}

/**
 * Open WebUI's prompts through two copies of gateway and model-gateway, sent the way its frontend
 * (src/lib/apis/prompts) sends them: the body's command with its "/", the path's without; access by
 * owner, group and public; the workspace.prompts permission; clear 4xx answers for bad input.
 */
describe('prompts with access control through two copies', () => {
  let stack: Stack;
  let gatewayA: string;
  let gatewayB: string;
  let admin: SignedUp;
  let outsider: SignedUp;
  let member: SignedUp;
  let readersGroup: string;
  const slug = () => `p-${randomUUID().slice(0, 8)}`;
  const publicCmd = slug();
  const privateCmd = slug();
  const groupCmd = slug();

  /** Open WebUI's createNewPrompt: `command: "/" + command` in the body. */
  const create = (gateway: string, who: SignedUp, body: Record<string, unknown>) =>
    request<PromptJson>(gateway, 'POST', '/api/v1/prompts/create', {
      token: who.token,
      body: { ...body, command: `/${String(body.command)}` },
    });
  const get = (gateway: string, who: SignedUp, command: string) =>
    request<PromptJson>(gateway, 'GET', `/api/v1/prompts/command/${command}`, { token: who.token });
  const listed = async (gateway: string, who: SignedUp, path = '/api/v1/prompts/') => {
    const res = await request<PromptJson[]>(gateway, 'GET', path, { token: who.token });
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, 'model-gateway': 2, gateway: 2 },
      env: { DEFAULT_USER_ROLE: 'user', ENABLE_OLLAMA_API: 'false', ENABLE_OPENAI_API: 'false' },
    });
    [gatewayA, gatewayB] = stack.gatewayUrls as [string, string];
    admin = await signUpAs(gatewayA, 'Admin');
    outsider = await signUpAs(gatewayA, 'Outsider');
    member = await signUpAs(gatewayB, 'Member');
    readersGroup = await createGroup(gatewayA, admin, 'readers', [member.id]);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('creates a prompt on one copy and reads it on the other, in Open WebUI shape', async () => {
    const before = Math.floor(Date.now() / 1000);
    const created = await create(gatewayA, admin, {
      command: publicCmd,
      title: 'Summarize',
      content: 'Summarize this:\n{{CLIPBOARD}}',
      access_control: null,
    });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      command: `/${publicCmd}`,
      user_id: admin.id,
      title: 'Summarize',
      content: 'Summarize this:\n{{CLIPBOARD}}',
      timestamp: expect.any(Number),
      access_control: null,
      write_access: true,
    });
    expect(created.body.timestamp).toBeGreaterThanOrEqual(before);

    const read = await get(gatewayB, admin, publicCmd);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expect((await listed(gatewayB, admin)).map((p) => p.command)).toContain(`/${publicCmd}`);
  });

  it('shows a public prompt to a second user, read-only', async () => {
    const read = await get(gatewayB, outsider, publicCmd);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ command: `/${publicCmd}`, write_access: false });
    expect((await listed(gatewayA, outsider)).map((p) => p.command)).toContain(`/${publicCmd}`);
    // /list is what the caller may change: not someone else's public prompt.
    expect((await listed(gatewayA, outsider, '/api/v1/prompts/list')).map((p) => p.command)).not.toContain(
      `/${publicCmd}`,
    );

    const edit = await request(gatewayB, 'POST', `/api/v1/prompts/command/${publicCmd}/update`, {
      token: outsider.token,
      body: { command: `/${publicCmd}`, title: 'Mine now', content: 'x', access_control: null },
    });
    expect(edit.status).toBe(403);
    expect(edit.body).toMatchObject({ detail: expect.stringContaining('not change it') });
    const remove = await request(gatewayA, 'DELETE', `/api/v1/prompts/command/${publicCmd}/delete`, {
      token: outsider.token,
    });
    expect(remove.status).toBe(403);
    expect((await get(gatewayA, admin, publicCmd)).body).toMatchObject({ title: 'Summarize' });
  });

  it('hides a private prompt (access_control {} or left out) from a second user', async () => {
    const created = await create(gatewayA, admin, {
      command: privateCmd,
      title: 'Private',
      content: 'Only mine.',
      access_control: {},
    });
    expect(created.status).toBe(200);
    expect(created.body.access_control).toEqual({
      read: { group_ids: [], user_ids: [] },
      write: { group_ids: [], user_ids: [] },
    });
    // Open WebUI's PromptForm defaults access_control to {}: private.
    const omitted = slug();
    const noAccess = await create(gatewayA, admin, { command: omitted, title: 'Also private', content: 'x' });
    expect(noAccess.body.access_control).not.toBeNull();

    for (const gateway of [gatewayA, gatewayB]) {
      for (const cmd of [privateCmd, omitted]) {
        const read = await get(gateway, outsider, cmd);
        expect(read.status).toBe(404);
        expect(read.body).toEqual({ detail: `Prompt not found: /${cmd}`, code: 'PROMPT_NOT_FOUND' });
      }
      const commands = (await listed(gateway, outsider)).map((p) => p.command);
      expect(commands).not.toContain(`/${privateCmd}`);
      expect(commands).not.toContain(`/${omitted}`);
    }
    const edit = await request(gatewayB, 'POST', `/api/v1/prompts/command/${privateCmd}/update`, {
      token: outsider.token,
      body: { command: `/${privateCmd}`, title: 'x', content: 'x' },
    });
    expect(edit.status).toBe(404);
  });

  it('lets a group read a prompt shared with it, and nobody else', async () => {
    const created = await create(gatewayA, admin, {
      command: groupCmd,
      title: 'Team',
      content: 'Team prompt.',
      access_control: {
        read: { group_ids: [readersGroup], user_ids: [] },
        write: { group_ids: [], user_ids: [] },
      },
    });
    expect(created.status).toBe(200);

    const read = await get(gatewayB, member, groupCmd);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ title: 'Team', write_access: false });
    expect((await listed(gatewayA, member)).map((p) => p.command)).toContain(`/${groupCmd}`);
    expect((await get(gatewayA, outsider, groupCmd)).status).toBe(404);

    const edit = await request(gatewayA, 'POST', `/api/v1/prompts/command/${groupCmd}/update`, {
      token: member.token,
      body: { command: `/${groupCmd}`, title: 'x', content: 'x', access_control: null },
    });
    expect(edit.status).toBe(403);

    // The owner's /list (Open WebUI's workspace page) carries each prompt's owner.
    const mine = await listed(gatewayB, admin, '/api/v1/prompts/list');
    expect(mine.find((p) => p.command === `/${groupCmd}`)).toMatchObject({
      write_access: true,
      user: { id: admin.id, name: 'Admin' },
    });
  });

  it('needs workspace.prompts to create; owners then edit and delete their own', async () => {
    const own = slug();
    const body = { command: own, title: 'Notes', content: 'Take notes.', access_control: null };
    const refused = await create(gatewayA, outsider, body);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      detail: 'You do not have the permission "workspace.prompts"; ask an administrator.',
      code: expect.any(String),
    });
    await createGroup(gatewayA, admin, 'writers', [outsider.id], { workspace: { prompts: true } });
    const created = await untilStatus(200, () => create(gatewayB, outsider, body));
    expect(created.status).toBe(200);
    expect(created.body.user_id).toBe(outsider.id);

    // Open WebUI's updatePromptByCommand: path without "/", body with it.
    const updated = await request<PromptJson>(gatewayA, 'POST', `/api/v1/prompts/command/${own}/update`, {
      token: outsider.token,
      body: { command: `/${own}`, title: 'Better notes', content: 'Take better notes.', access_control: {} },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ command: `/${own}`, title: 'Better notes', write_access: true });
    expect((await get(gatewayB, member, own)).status).toBe(404);

    // Open WebUI's deletePromptByCommand strips the "/" and reads a boolean.
    const deleted = await request(gatewayB, 'DELETE', `/api/v1/prompts/command/${own}/delete`, {
      token: outsider.token,
    });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toBe(true);
    expect((await get(gatewayA, outsider, own)).status).toBe(404);
  });

  it('refuses a command that is taken with 400, as Open WebUI does', async () => {
    const again = await create(gatewayB, admin, { command: publicCmd, title: 'Other', content: 'Other.' });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({
      detail: `The command "/${publicCmd}" is already registered; choose another command.`,
      code: 'COMMAND_TAKEN',
    });
    // Without the "/" it is the same command.
    const bare = await request(gatewayA, 'POST', '/api/v1/prompts/create', {
      token: admin.token,
      body: { command: publicCmd, title: 'Other', content: 'Other.' },
    });
    expect(bare.status).toBe(400);
    expect((await get(gatewayA, admin, publicCmd)).body).toMatchObject({ title: 'Summarize' });
  });

  it('answers bad input with 400 and a message that names the problem', async () => {
    const cases: Array<[string, string, Record<string, unknown>, RegExp]> = [
      ['POST', '/api/v1/prompts/create', { command: '/x', content: 'c' }, /title/],
      ['POST', '/api/v1/prompts/create', { command: '/x', title: 't', content: 42 }, /content/],
      [
        'POST',
        '/api/v1/prompts/create',
        { command: '/has space', title: 't', content: 'c' },
        /command must be/,
      ],
      ['POST', '/api/v1/prompts/create', { command: '/', title: 't', content: 'c' }, /command must be/],
      [
        'POST',
        '/api/v1/prompts/create',
        { command: '/x', title: 't', content: 'c', access_control: { read: 'everyone' } },
        /access_control/,
      ],
      [
        'POST',
        `/api/v1/prompts/command/${publicCmd}/update`,
        { command: '/renamed', title: 't', content: 'c', access_control: null },
        /cannot change/,
      ],
    ];
    for (const [method, path, body, message] of cases) {
      const res = await request<{ detail: string }>(gatewayA, method, path, { token: admin.token, body });
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body.detail).toMatch(message);
    }
    const unknown = await get(gatewayB, admin, `missing-${randomUUID().slice(0, 8)}`);
    expect(unknown.status).toBe(404);
    const unauthenticated = await request(gatewayA, 'GET', '/api/v1/prompts/');
    expect(unauthenticated.status).toBe(401);
  });
});
