import { randomUUID } from 'node:crypto';
import { DomainError, ErrorKind } from '@parley/errors';
import { CallerSigner, createGrpcClient, type Caller } from '@parley/grpc';
import { authV1 } from '@parley/proto';
import {
  createTestDatabase,
  InProcessService,
  serviceCaller,
  TEST_CALLER_SECRET,
  TestDatabase,
  testCallerSigning,
  userCaller,
} from '@parley/testing';
import { AuthClient, startAuthService } from './auth-service-harness';

type Who = 'service' | 'user' | 'other' | 'admin' | 'pending';
/** `ok`: answered; `allowed`: past the caller rule (the input may still be refused for its own reasons). */
type Outcome = 'ok' | 'allowed' | ErrorKind;

const PASSWORD = 'a long enough password';
const WHO: Who[] = ['service', 'user', 'other', 'admin', 'pending'];

interface World {
  ids: Record<'user' | 'other' | 'admin' | 'pending', string>;
  userEmail: string;
  groupId: string;
  auth: AuthClient;
}

interface Row {
  request: (world: World) => Promise<Record<string, unknown>> | Record<string, unknown>;
  outcomes: Partial<Record<Who, Outcome>>;
}

const DENIED = ErrorKind.PermissionDenied;
const serviceOnly = { service: 'ok', user: DENIED, other: DENIED, admin: DENIED, pending: DENIED } as const;
const adminOnly = { service: DENIED, user: DENIED, other: DENIED, admin: 'ok', pending: DENIED } as const;
const selfActive = { service: DENIED, user: 'ok', other: 'ok', admin: 'ok', pending: DENIED } as const;
const selfAnyRole = { service: DENIED, user: 'ok', other: 'ok', admin: 'ok', pending: 'ok' } as const;
const anyone = { service: 'ok', user: 'ok', other: 'ok', admin: 'ok', pending: 'ok' } as const;

const fresh = () => `${randomUUID()}@example.com`;

/**
 * Every AuthService method, with every kind of caller: the rows say who may call it (the rule in the
 * proto comment) and the test checks the service enforces exactly that, with identity from the
 * assertion only. A method without a row fails the test.
 */
const ROWS: Record<string, Row> = {
  signUp: { request: () => ({ name: 'New', email: fresh(), password: PASSWORD }), outcomes: serviceOnly },
  signIn: { request: (w) => ({ email: w.userEmail, password: PASSWORD }), outcomes: serviceOnly },
  signInWithLdap: {
    request: () => ({ username: 'someone', password: PASSWORD }),
    outcomes: { ...serviceOnly, service: 'allowed' },
  },
  signInWithTrustedHeader: { request: () => ({ email: fresh(), name: 'Proxy' }), outcomes: serviceOnly },
  signInSingleUser: { request: () => ({}), outcomes: { ...serviceOnly, service: 'allowed' } },
  getSignInOptions: { request: () => ({}), outcomes: anyone },
  revokeToken: {
    request: () => ({ tokenId: randomUUID(), expiresAt: BigInt(Math.floor(Date.now() / 1000) + 60) }),
    outcomes: anyone,
  },
  // About `user`: the service, the user themself and admins see it; to anyone else it does not exist.
  getUser: {
    request: (w) => ({ id: w.ids.user }),
    outcomes: {
      service: 'ok',
      user: 'ok',
      other: ErrorKind.NotFound,
      admin: 'ok',
      pending: ErrorKind.NotFound,
    },
  },
  getJwks: { request: () => ({}), outcomes: anyone },
  updatePassword: {
    request: () => ({ currentPassword: PASSWORD, newPassword: PASSWORD }),
    outcomes: selfAnyRole,
  },
  updateProfile: { request: () => ({ name: 'Renamed', profileImageUrl: '' }), outcomes: selfAnyRole },
  addUser: {
    request: () => ({ name: 'Added', email: fresh(), password: PASSWORD, role: authV1.Role.USER }),
    outcomes: adminOnly,
  },
  listUsers: { request: () => ({ query: '', page: 1 }), outcomes: adminOnly },
  updateUser: { request: (w) => ({ id: w.ids.other, name: 'Changed by an admin' }), outcomes: adminOnly },
  deleteUser: {
    request: async (w) => ({ id: (await w.auth.addUser(addable(), { caller: ADMIN(w) })).user!.id }),
    outcomes: adminOnly,
  },
  createApiKey: { request: () => ({}), outcomes: selfActive },
  getApiKey: { request: () => ({}), outcomes: selfActive },
  deleteApiKey: { request: () => ({}), outcomes: selfActive },
  authenticateApiKey: {
    request: async (w) => ({
      apiKey: (await w.auth.createApiKey({}, { caller: userCaller(w.ids.other) })).apiKey,
    }),
    outcomes: serviceOnly,
  },
  createGroup: { request: () => ({ name: `g-${randomUUID()}` }), outcomes: adminOnly },
  listGroups: { request: () => ({}), outcomes: adminOnly },
  updateGroup: { request: (w) => ({ id: w.groupId, name: `renamed-${randomUUID()}` }), outcomes: adminOnly },
  deleteGroup: {
    request: async (w) => ({
      id: (await w.auth.createGroup({ name: `doomed-${randomUUID()}` }, { caller: ADMIN(w) })).group!.id,
    }),
    outcomes: adminOnly,
  },
  getPermissions: { request: () => ({}), outcomes: selfAnyRole },
  getCallerProfile: { request: (w) => ({ id: w.ids.user }), outcomes: serviceOnly },
  getUserSettings: { request: () => ({}), outcomes: selfActive },
  updateUserSettings: { request: () => ({ settingsJson: '{"ui":{}}' }), outcomes: selfActive },
  getDefaultPermissions: { request: () => ({}), outcomes: adminOnly },
  // The waiting screen of a pending user names the administrator to ask.
  getAdminDetails: { request: () => ({}), outcomes: selfAnyRole },
  getInstanceSettings: { request: () => ({}), outcomes: anyone },
  updateInstanceSettings: { request: () => ({ changesJson: '{}' }), outcomes: adminOnly },
  // What anyone signed in may see of another user (name, picture, last active); never a service's call.
  getPublicProfile: { request: (w) => ({ id: w.ids.user }), outcomes: selfActive },
  getUserInfo: { request: () => ({}), outcomes: selfActive },
  updateUserInfo: { request: () => ({ infoJson: '{"location":"here"}' }), outcomes: selfActive },
};

const addable = () => ({ name: 'Target', email: fresh(), password: PASSWORD, role: authV1.Role.USER });
const ADMIN = (w: World) => userCaller(w.ids.admin, { role: 'admin' });

function callerOf(who: Who, world: World): Caller {
  if (who === 'service') return serviceCaller('gateway');
  const role = who === 'other' ? 'user' : who;
  return userCaller(world.ids[who], { role });
}

async function outcomeOf(call: Promise<unknown>): Promise<Outcome> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return error.kind;
  }
}

describe('auth service: who may call each method', () => {
  let db: TestDatabase;
  let service: InProcessService;
  let auth: AuthClient;
  let world: World;

  beforeAll(async () => {
    db = await createTestDatabase();
    // The trusted-header mode is on, so the service's own refusal (mode off) does not hide the caller rule.
    ({ service, auth } = await startAuthService(
      db,
      { WEBUI_AUTH_TRUSTED_EMAIL_HEADER: 'X-Forwarded-Email' },
      undefined,
    ));
    const gateway = { caller: serviceCaller('gateway') };
    const signUp = async (email: string) =>
      (await auth.signUp({ name: email, email, password: PASSWORD }, gateway)).user!.id;
    const admin = await signUp(fresh()); // the first account of the install
    const adminCaller = { caller: userCaller(admin, { role: 'admin' }) };
    const userEmail = fresh();
    const ids = {
      admin,
      user: await signUp(userEmail),
      other: await signUp(fresh()),
      pending: await signUp(fresh()),
    };
    for (const id of [ids.user, ids.other])
      await auth.updateUser({ id, role: authV1.Role.USER }, adminCaller);
    const groupId = (await auth.createGroup({ name: 'readers', userIds: [ids.user] }, adminCaller)).group!.id;
    world = { ids, userEmail, groupId, auth };
  });

  afterAll(async () => {
    auth?.close();
    await service?.stop();
    await db?.drop();
  });

  it('has a row for every method, and enforces each row for every kind of caller', async () => {
    const methods = (authV1.AuthService as unknown as { methods: Array<{ localName: string }> }).methods;
    expect(methods.map((m) => m.localName).filter((name) => !ROWS[name])).toEqual([]);
    const seen: string[] = [];
    const wrong: string[] = [];
    const client = world.auth as unknown as Record<
      string,
      (request: unknown, options: { caller: Caller }) => Promise<unknown>
    >;
    for (const { localName } of methods) {
      const row = ROWS[localName]!;
      for (const who of WHO) {
        const expected = row.outcomes[who];
        if (!expected) continue;
        const actual = await outcomeOf(
          client[localName]!(await row.request(world), { caller: callerOf(who, world) }),
        );
        const matches =
          expected === 'allowed'
            ? actual !== ErrorKind.PermissionDenied && actual !== ErrorKind.Unauthenticated
            : actual === expected;
        seen.push(`${localName}/${who}`);
        if (!matches) wrong.push(`${localName} as ${who}: expected ${expected}, got ${actual}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(seen.length).toBe(methods.length * WHO.length);
  });

  it('gives another user nothing of the caller even when the body names them', async () => {
    // `other` asks for `user`: not found, and nothing in the answer says otherwise.
    const asOther = { caller: userCaller(world.ids.other) };
    await expect(world.auth.getUser({ id: world.ids.user }, asOther)).rejects.toMatchObject({
      kind: ErrorKind.NotFound,
    });
    // Settings and API keys are the caller's own: writing as `other` leaves `user`'s alone.
    const asUser = { caller: userCaller(world.ids.user) };
    await world.auth.updateUserSettings({ settingsJson: '{"ui":{"mine":true}}' }, asUser);
    await world.auth.updateUserSettings({ settingsJson: '{"ui":{"theirs":true}}' }, asOther);
    expect(JSON.parse((await world.auth.getUserSettings({}, asUser)).settingsJson)).toEqual({
      ui: { mine: true },
    });
    // The public profile of another user carries no email or role, only what Open WebUI shows anyone.
    const seen = await world.auth.getPublicProfile({ id: world.ids.user }, asOther);
    expect(
      Object.keys(seen)
        .filter((key) => !key.startsWith('$'))
        .sort(),
    ).toEqual(['lastActiveAt', 'name', 'profileImageUrl']);
    // The caller profile carries the user's groups, for the assertions the edge mints.
    const profile = await world.auth.getCallerProfile(
      { id: world.ids.user },
      { caller: serviceCaller('gateway') },
    );
    expect(profile.groupIds).toEqual([world.groupId]);
    expect(profile.role).toBe(authV1.Role.USER);
    expect(profile.permissions).toContain('chat.delete');
  });

  it('refuses every method without a valid assertion, whatever the caller claims', async () => {
    const forged = createGrpcClient(authV1.AuthService, service.grpcTarget, {
      deadlineMs: 10_000,
      peerName: 'auth',
      signing: {
        signer: new CallerSigner({ secrets: ['not the installation secret at all!'], issuer: 'x' }),
        audience: 'auth',
      },
    });
    const expired = createGrpcClient(authV1.AuthService, service.grpcTarget, {
      deadlineMs: 10_000,
      peerName: 'auth',
      signing: {
        signer: new CallerSigner({
          secrets: [TEST_CALLER_SECRET],
          issuer: 'x',
          now: () => Math.floor(Date.now() / 1000) - 3_600,
        }),
        audience: 'auth',
      },
    });
    const elsewhere = createGrpcClient(authV1.AuthService, service.grpcTarget, {
      deadlineMs: 10_000,
      peerName: 'auth',
      signing: testCallerSigning('chat'),
    });
    try {
      const methods = (authV1.AuthService as unknown as { methods: Array<{ localName: string }> }).methods;
      const outcomes = new Set<Outcome>();
      for (const client of [forged, expired, elsewhere]) {
        const calls = client as unknown as Record<
          string,
          (request: unknown, options: { caller: Caller }) => Promise<unknown>
        >;
        for (const { localName } of methods)
          outcomes.add(await outcomeOf(calls[localName]!({}, { caller: ADMIN(world) })));
      }
      expect([...outcomes]).toEqual([ErrorKind.Unauthenticated]);
    } finally {
      forged.close();
      expired.close();
      elsewhere.close();
    }
  });
});
