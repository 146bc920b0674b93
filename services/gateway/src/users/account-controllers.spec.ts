import type { Response } from 'express';
import type { AuthenticatedRequest } from '@parley/auth-guard';
import type { Caller, UserCaller } from '@parley/grpc';
import { authV1 } from '@parley/proto';
import { parseRouteInput as input } from '../contract/route-input';
import type { DownstreamClients } from '../downstream/downstream-clients';
import { groupsContract as g } from '../groups/groups.contract';
import { presetsContract as p } from '../presets/presets.contract';
import { GroupsController } from '../groups/groups.controller';
import { UsersController } from './users.controller';
import { usersContract as u } from './users.contract';

/**
 * The account controllers with a fake auth client that records every call: each one names the
 * request's verified caller, and no request body carries who is asking (auth decides from the caller).
 */
function fakeDownstream(overrides: Record<string, unknown> = {}) {
  const calls: Array<{ method: string; request: Record<string, unknown>; caller?: Caller }> = [];
  const user = { id: 'u-2', email: 'b@example.com', name: 'B', role: authV1.Role.USER };
  const replies: Record<string, unknown> = {
    listUsers: { users: [user], total: 1 },
    getUser: { user },
    updateUser: { user },
    deleteUser: {},
    getPermissions: { permissions: { 'chat.delete': true } },
    getUserSettings: { settingsJson: '{"ui":{}}' },
    updateUserSettings: { settingsJson: '{"ui":{"a":1}}' },
    listGroups: {
      groups: [{ id: 'g-1', name: 'Readers', userIds: ['u-2'], permissions: { 'workspace.models': true } }],
    },
    getPublicProfile: {
      name: 'B',
      profileImageUrl: '/user.png',
      lastActiveAt: BigInt(Math.floor(Date.now() / 1000)),
    },
    createGroup: { group: { id: 'g-2', name: 'New', userIds: [], permissions: {} } },
    updateGroup: { group: { id: 'g-1', name: 'Renamed', userIds: [], permissions: {} } },
    deleteGroup: {},
    ...overrides,
  };
  const auth = new Proxy(
    {},
    {
      get:
        (_target, method: string) =>
        async (request: Record<string, unknown>, options?: { caller?: Caller }) => {
          calls.push({ method, request, caller: options?.caller });
          if (!(method in replies)) throw new Error(`unexpected call ${method}`);
          return replies[method];
        },
    },
  );
  return { downstream: { auth } as unknown as DownstreamClients, calls };
}

/** The JSON a handler that writes its own answer sent. */
async function answered(run: (res: Response) => Promise<void>): Promise<unknown> {
  let body: unknown = 'nothing sent';
  const res = { status: () => res, json: (sent: unknown) => (body = sent) } as unknown as Response;
  await run(res);
  return body;
}

const admin: UserCaller = {
  kind: 'user',
  userId: 'u-1',
  role: 'admin',
  groupIds: [],
  permissions: new Set(),
};
const req = { user: { id: 'u-1', role: 'admin' }, caller: admin } as unknown as AuthenticatedRequest;

describe('account controllers', () => {
  it('call auth as the request’s caller, with no user id of the caller in any body', async () => {
    const { downstream, calls } = fakeDownstream();
    const users = new UsersController(downstream);
    const groups = new GroupsController(downstream);

    expect(await users.list(input(u.list, { query: { query: 'b' } }), req)).toMatchObject({
      total: 1,
      users: [{ id: 'u-2' }],
    });
    expect(await users.permissionsOfCaller(req)).toEqual({ chat: { delete: true } });
    expect(await answered((res) => users.settingsOfCaller(req, res))).toEqual({ ui: {} });
    expect(await users.updateSettingsOfCaller({ ui: { a: 1 } }, req)).toEqual({ ui: { a: 1 } });
    expect(await users.get(input(u.get, { params: { id: 'u-2' } }), req)).toMatchObject({
      id: 'u-2',
      role: 'user',
      active: false,
    });
    expect(
      await users.update(input(u.update, { params: { id: 'u-2' }, body: { name: 'Bea' } }), req),
    ).toMatchObject({ id: 'u-2' });
    expect(await users.delete(input(u.delete, { params: { id: 'u-2' } }), req)).toBe(true);
    expect(await groups.list(req)).toMatchObject([
      { id: 'g-1', user_ids: ['u-2'], permissions: { workspace: { models: true } } },
    ]);
    expect(await groups.create(input(g.create, { body: { name: 'New' } }), req)).toMatchObject({ id: 'g-2' });
    expect(await groups.get(input(g.get, { params: { id: 'g-1' } }), req)).toMatchObject({ id: 'g-1' });
    expect(
      await groups.update(input(g.update, { params: { id: 'g-1' }, body: { name: 'Renamed' } }), req),
    ).toMatchObject({ name: 'Renamed' });
    expect(await groups.delete(input(g.delete, { params: { id: 'g-1' } }), req)).toBe(true);

    expect(calls.length).toBe(12);
    for (const call of calls) {
      expect({ method: call.method, caller: call.caller }).toEqual({ method: call.method, caller: admin });
      // The target of an admin action may be named (id); the actor never is.
      expect(Object.keys(call.request).filter((key) => /actor|caller|userId$/i.test(key))).toEqual([]);
    }
  });

  it('refuses settings that are not a JSON object with its code of old, before calling auth', async () => {
    const { downstream, calls } = fakeDownstream();
    await expect(new UsersController(downstream).updateSettingsOfCaller([1, 2], req)).rejects.toMatchObject({
      kind: 'INVALID_ARGUMENT',
      message: 'The settings must be a JSON object.',
    });
    expect(calls).toEqual([]);
  });

  it('refuses bad input with a clear 4xx before any handler runs', () => {
    const invalid = { kind: 'INVALID_ARGUMENT', code: 'INVALID_INPUT' };
    expect(() => input(u.list, { query: { page: 'zero' } })).toThrow(expect.objectContaining(invalid));
    expect(() => input(u.update, { params: { id: 'u-2' }, body: { role: 'owner' } })).toThrow(
      expect.objectContaining(invalid),
    );
  });
});

describe('GET /api/v1/users/{id} for a user who is not an admin', () => {
  const member = {
    user: { id: 'u-3', role: 'user' },
    caller: { ...admin, userId: 'u-3', role: 'user' },
  } as unknown as AuthenticatedRequest;

  it('answers only the name, picture and active status, from the public profile', async () => {
    const { downstream, calls } = fakeDownstream();
    const profile = await new UsersController(downstream).get(
      input(u.get, { params: { id: 'u-2' } }),
      member,
    );
    expect(profile).toEqual({ name: 'B', profile_image_url: '/user.png', active: true });
    expect(calls.map((call) => call.method)).toEqual(['getPublicProfile']);
  });

  it('turns an empty settings object into null, as Open WebUI answers before anything is saved', async () => {
    const { downstream } = fakeDownstream({ getUserSettings: { settingsJson: '{}' } });
    const users = new UsersController(downstream);
    expect(await answered((res) => users.settingsOfCaller(member, res))).toBeNull();
  });
});

describe('route input codes', () => {
  it('keeps a route’s error code of old where its contract says so (the preset id)', () => {
    expect(() => input(p.get, { query: {} })).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: 'id is required: the preset id, as ?id=...',
      }),
    );
    expect(() => input(p.update, { query: { id: 'p' }, body: { name: 'x' } })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
