import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { TokenVerifier } from '@parley/auth-guard';
import { ErrorKind } from '@parley/errors';
import { authV1 } from '@parley/proto';
import { createTestDatabase, serviceCaller, TestDatabase, userCaller } from '@parley/testing';
import { AuthUnderTest, startAuthService } from './auth-service-harness';

/** Call options acting for the user with this id (a signed-in user, not an admin). */
const as = (userId: string) => ({ caller: userCaller(userId) });

describe('auth service over gRPC, against PostgreSQL', () => {
  let db: TestDatabase;
  const started: AuthUnderTest[] = [];
  const secret = randomBytes(24).toString('hex');

  async function startAuth(env: Record<string, string> = {}, database: TestDatabase = db) {
    const started_ = await startAuthService(database, { WEBUI_SECRET_KEY: secret, ...env });
    started.push(started_);
    return started_.auth;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    for (const one of started) await one.stop();
    await db.drop();
  });

  it('makes exactly one admin when the first sign-ups race, and gives the rest the default role', async () => {
    const auth = await startAuth();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        auth.signUp({ name: `U${i}`, email: `race${i}@example.com`, password: 'long enough password' }),
      ),
    );
    const roles = results.map((r) => r.user!.role);
    expect(roles.filter((role) => role === authV1.Role.ADMIN)).toHaveLength(1);
    expect(roles.filter((role) => role === authV1.Role.PENDING)).toHaveLength(5);
  });

  it('keeps one settings object per user, replaces it on update and refuses what is not a small object', async () => {
    const auth = await startAuth();
    const a = await auth.signUp({
      name: 'Set A',
      email: 'settings-a@example.com',
      password: 'long enough password',
    });
    const b = await auth.signUp({
      name: 'Set B',
      email: 'settings-b@example.com',
      password: 'long enough password',
    });
    expect(JSON.parse((await auth.getUserSettings({}, as(a.user!.id))).settingsJson)).toEqual({});

    const saved = await auth.updateUserSettings(
      { settingsJson: JSON.stringify({ ui: { models: ['gpt-test'] } }) },
      as(a.user!.id),
    );
    expect(JSON.parse(saved.settingsJson)).toEqual({ ui: { models: ['gpt-test'] } });
    await auth.updateUserSettings(
      { settingsJson: JSON.stringify({ ui: { theme: 'dark' } }) },
      as(a.user!.id),
    );
    expect(JSON.parse((await auth.getUserSettings({}, as(a.user!.id))).settingsJson)).toEqual({
      ui: { theme: 'dark' },
    });
    expect(JSON.parse((await auth.getUserSettings({}, as(b.user!.id))).settingsJson)).toEqual({});

    await expect(auth.updateUserSettings({ settingsJson: '[1,2]' }, as(a.user!.id))).rejects.toMatchObject({
      kind: ErrorKind.InvalidArgument,
      message: 'The settings must be a JSON object.',
    });
    await expect(
      auth.updateUserSettings({ settingsJson: JSON.stringify({ big: 'x'.repeat(70_000) }) }, as(a.user!.id)),
    ).rejects.toMatchObject({
      kind: ErrorKind.InvalidArgument,
      message: 'The settings are larger than 64 KiB.',
    });
    await expect(auth.getUserSettings({}, as('00000000-0000-4000-8000-000000000000'))).rejects.toMatchObject({
      kind: ErrorKind.NotFound,
    });
    // The refused writes left the saved settings alone.
    expect(JSON.parse((await auth.getUserSettings({}, as(a.user!.id))).settingsJson)).toEqual({
      ui: { theme: 'dark' },
    });
  });

  it('merges profile info, marks a user active when the edge asks for their profile, and keeps updated_at', async () => {
    const auth = await startAuth();
    const { user, permissions } = await auth.signUp({
      name: 'Info',
      email: 'info@example.com',
      password: 'long enough password',
    });
    // Sign-ups and sign-ins answer the user's permissions too (Open WebUI's sign-in answer has them;
    // in this shared database the user is pending, so every flag is there and off).
    expect(Object.keys(permissions)).toEqual(expect.arrayContaining(['chat.delete', 'workspace.models']));
    expect(
      Object.values(permissions).every((granted) => granted === (user!.role === authV1.Role.ADMIN)),
    ).toBe(true);
    const id = user!.id;
    expect((await auth.getUserInfo({}, as(id))).infoJson).toBe('');
    await auth.updateUserInfo({ infoJson: '{"location":"Oslo","bio":"a"}' }, as(id));
    const merged = await auth.updateUserInfo({ infoJson: '{"bio":"b"}' }, as(id));
    expect(JSON.parse(merged.infoJson)).toEqual({ location: 'Oslo', bio: 'b' });
    await expect(auth.updateUserInfo({ infoJson: '"text"' }, as(id))).rejects.toMatchObject({
      kind: ErrorKind.InvalidArgument,
      message: 'The info must be a JSON object.',
    });

    const before = (await auth.getUser({ id }, as(id))).user!;
    expect(before.lastActiveAt).toBe(0n);
    await auth.getCallerProfile({ id }, { caller: serviceCaller('gateway') });
    const after = (await auth.getUser({ id }, as(id))).user!;
    expect(Number(after.lastActiveAt)).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 5);
    expect(after.updatedAt).toBe(before.updatedAt);
    // Within the minute it is not written again.
    await auth.getCallerProfile({ id }, { caller: serviceCaller('gateway') });
    expect((await auth.getUser({ id }, as(id))).user!.lastActiveAt).toBe(after.lastActiveAt);
  });

  it('names ADMIN_EMAIL, else the first admin, to whoever asks, and nobody with SHOW_ADMIN_DETAILS=false', async () => {
    const database = await createTestDatabase();
    try {
      const auth = await startAuth({}, database);
      const first = await auth.signUp({
        name: 'First',
        email: 'first@example.com',
        password: 'long enough password',
      });
      const later = await auth.signUp({
        name: 'Later',
        email: 'later@example.com',
        password: 'long enough password',
      });
      const asPending = { caller: userCaller(later.user!.id, { role: 'pending' }) };
      expect(await auth.getAdminDetails({}, asPending)).toMatchObject({
        name: 'First',
        email: 'first@example.com',
      });
      const named = await startAuth({ ADMIN_EMAIL: 'later@example.com' }, database);
      expect(await named.getAdminDetails({}, asPending)).toMatchObject({
        name: 'Later',
        email: 'later@example.com',
      });
      const hidden = await startAuth({ SHOW_ADMIN_DETAILS: 'false' }, database);
      await expect(hidden.getAdminDetails({}, as(first.user!.id))).rejects.toMatchObject({
        kind: ErrorKind.PermissionDenied,
      });
    } finally {
      await database.drop();
    }
  });

  it('treats emails case-insensitively and refuses a second account for the same address', async () => {
    const auth = await startAuth();
    await auth.signUp({ name: 'Case', email: 'Case.Person@Example.com', password: 'long enough password' });
    await expect(
      auth.signUp({ name: 'Again', email: 'case.person@example.COM', password: 'long enough password' }),
    ).rejects.toMatchObject({
      kind: ErrorKind.AlreadyExists,
    });
    const signedIn = await auth.signIn({
      email: 'CASE.person@example.com',
      password: 'long enough password',
    });
    expect(signedIn.user!.email).toBe('case.person@example.com');
  });

  it('answers a wrong password and an unknown email with the same message', async () => {
    const auth = await startAuth();
    await auth.signUp({ name: 'Pw', email: 'pw@example.com', password: 'the right password' });
    const wrong = await auth
      .signIn({ email: 'pw@example.com', password: 'the wrong password' })
      .catch((e) => e);
    const unknown = await auth
      .signIn({ email: 'nobody@example.com', password: 'the right password' })
      .catch((e) => e);
    expect(wrong).toMatchObject({
      kind: ErrorKind.Unauthenticated,
      message: 'The email or password is incorrect.',
    });
    expect(unknown).toMatchObject({
      kind: ErrorKind.Unauthenticated,
      message: 'The email or password is incorrect.',
    });
  });

  it('enforces the password length policy and rejects malformed emails with a clear message', async () => {
    const auth = await startAuth();
    await expect(
      auth.signUp({ name: 'Short', email: 'short@example.com', password: 'short' }),
    ).rejects.toThrow('The password must be at least 8 characters long.');
    await expect(
      auth.signUp({ name: 'Bad', email: 'not an email', password: 'long enough password' }),
    ).rejects.toThrow('The email address is not valid.');
  });

  it('closes sign-up when ENABLE_SIGNUP=false, except for the very first account', async () => {
    const empty = await createTestDatabase();
    try {
      const auth = await startAuth({ ENABLE_SIGNUP: 'false' }, empty);
      const first = await auth.signUp({
        name: 'First',
        email: 'first@example.com',
        password: 'long enough password',
      });
      expect(first.user!.role).toBe(authV1.Role.ADMIN);
      await expect(
        auth.signUp({ name: 'Late', email: 'late@example.com', password: 'long enough password' }),
      ).rejects.toMatchObject({
        kind: ErrorKind.PermissionDenied,
        message: expect.stringContaining('Sign-up is disabled'),
      });
    } finally {
      await started.pop()!.stop();
      await empty.drop();
    }
  });

  it('WEBUI_AUTH=false signs the one admin in without a password, and refuses a second account', async () => {
    const empty = await createTestDatabase();
    try {
      const auth = await startAuth({ WEBUI_AUTH: 'False' }, empty);
      expect((await auth.getSignInOptions({})).singleUser).toBe(true);
      const first = await auth.signInSingleUser({});
      expect(first.user).toMatchObject({ email: 'admin@localhost', name: 'User', role: authV1.Role.ADMIN });
      expect(first.accessToken!.token).toBeTruthy();
      // The same account every time, and it has no password anyone could know.
      expect((await auth.signInSingleUser({})).user!.id).toBe(first.user!.id);
      await expect(auth.signIn({ email: 'admin@localhost', password: 'admin' })).rejects.toMatchObject({
        kind: ErrorKind.Unauthenticated,
      });
      const singleUserMode = {
        kind: ErrorKind.FailedPrecondition,
        message: expect.stringContaining('WEBUI_AUTH=False is single-user mode'),
      };
      await expect(
        auth.signUp({ name: 'Two', email: 'two@example.com', password: 'long enough password' }),
      ).rejects.toMatchObject(singleUserMode);
      await expect(
        auth.addUser(
          { name: 'Two', email: 'two@example.com', password: 'long enough password', role: authV1.Role.USER },
          { caller: userCaller(first.user!.id, { role: 'admin' }) },
        ),
      ).rejects.toMatchObject(singleUserMode);
      // A database with other accounts (it ran with sign-in before): the password-less door stays shut.
      const pg = new Client({ connectionString: empty.url });
      await pg.connect();
      await pg.query(
        `INSERT INTO auth.users (id, email, name, role, created_at, updated_at)
         VALUES ($1, 'someone@example.com', 'Someone', 'user', now(), now())`,
        [randomUUID()],
      );
      await pg.end();
      await expect(auth.signInSingleUser({})).rejects.toMatchObject(singleUserMode);
    } finally {
      await started.pop()!.stop();
      await empty.drop();
    }
  });

  it('refuses the password-less sign-in while sign-in is on', async () => {
    const auth = await startAuth();
    await expect(auth.signInSingleUser({})).rejects.toMatchObject({
      kind: ErrorKind.FailedPrecondition,
      message: expect.stringContaining('single-user mode (WEBUI_AUTH=False) only'),
    });
    expect((await auth.getSignInOptions({})).singleUser).toBe(false);
  });

  it('signs tokens that any copy can verify with the published keys, and keeps private keys encrypted', async () => {
    const copyA = await startAuth();
    const copyB = await startAuth();
    const { accessToken, user } = await copyA.signUp({
      name: 'Tok',
      email: 'tok@example.com',
      password: 'long enough password',
    });
    const verifier = new TokenVerifier({
      fetchJwks: async () => JSON.parse((await copyB.getJwks({})).jwksJson),
    });
    await expect(verifier.verify(accessToken!.token)).resolves.toMatchObject({
      id: user!.id,
      role: 'pending',
    });
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    const { rows } = await pg.query('SELECT private_jwk_encrypted, public_jwk FROM auth.signing_keys');
    await pg.end();
    expect(rows).toHaveLength(1);
    expect(rows[0].private_jwk_encrypted).toMatch(/^v1\./);
    expect(rows[0].private_jwk_encrypted).not.toContain('"d"');
    expect(rows[0].public_jwk).not.toHaveProperty('d');
  });

  it('returns a user by id and NOT_FOUND for an unknown or malformed id', async () => {
    const auth = await startAuth();
    const { user } = await auth.signUp({
      name: 'Get',
      email: 'get@example.com',
      password: 'long enough password',
    });
    expect((await auth.getUser({ id: user!.id })).user).toMatchObject({
      email: 'get@example.com',
      name: 'Get',
    });
    await expect(auth.getUser({ id: '00000000-0000-0000-0000-000000000000' })).rejects.toMatchObject({
      kind: ErrorKind.NotFound,
    });
    await expect(auth.getUser({ id: "1' OR '1'='1" })).rejects.toMatchObject({ kind: ErrorKind.NotFound });
  });
});

describe('signing key rotation', () => {
  it('signs with a new key after the rotation interval, and tokens of the old key verify until they expire', async () => {
    const db = await createTestDatabase();
    const { service, auth } = await startAuthService(db, {
      SIGNING_KEY_ROTATION_INTERVAL: '1500ms',
      JWT_EXPIRES_IN: '4s',
    });
    try {
      const kidOf = (token: string) =>
        JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid as string;
      const verifier = new TokenVerifier({
        fetchJwks: async () => JSON.parse((await auth.getJwks({})).jwksJson),
        minRefetchIntervalMs: 0,
      });
      const first = await auth.signUp({
        name: 'Rot',
        email: 'rot@example.com',
        password: 'long enough password',
      });
      await new Promise((resolve) => setTimeout(resolve, 1_700));
      const second = await auth.signIn({ email: 'rot@example.com', password: 'long enough password' });
      const [oldKid, newKid] = [kidOf(first.accessToken!.token), kidOf(second.accessToken!.token)];
      expect(newKid).not.toBe(oldKid);
      const published = JSON.parse((await auth.getJwks({})).jwksJson).keys.map((k: { kid: string }) => k.kid);
      expect(published).toEqual(expect.arrayContaining([oldKid, newKid]));
      await expect(verifier.verify(first.accessToken!.token)).resolves.toMatchObject({ role: 'admin' });
      await expect(verifier.verify(second.accessToken!.token)).resolves.toMatchObject({ role: 'admin' });
      // Once every token the old key signed has expired, the old key is no longer published.
      await new Promise((resolve) => setTimeout(resolve, 4_500));
      const later = JSON.parse((await auth.getJwks({})).jwksJson).keys.map((k: { kid: string }) => k.kid);
      expect(later).not.toContain(oldKid);
      await expect(verifier.verify(first.accessToken!.token)).rejects.toThrow();
    } finally {
      auth.close();
      await service.stop();
      await db.drop();
    }
  });
});

describe('a changed WEBUI_SECRET_KEY', () => {
  it('replaces the signing key it cannot open, and tokens signed before still verify', async () => {
    const db = await createTestDatabase();
    const start = (secret: string) => startAuthService(db, { WEBUI_SECRET_KEY: secret });
    const before = await start('the-first-secret-key-of-this-install');
    const after = await start('a-new-secret-key-set-by-the-operator');
    try {
      const old = await before.auth.signUp({
        name: 'Sec',
        email: 'sec@example.com',
        password: 'long enough password',
      });
      before.auth.close();
      await before.service.stop();
      const fresh = await after.auth.signIn({ email: 'sec@example.com', password: 'long enough password' });
      expect(fresh.accessToken!.token).toBeTruthy();
      const verifier = new TokenVerifier({
        fetchJwks: async () => JSON.parse((await after.auth.getJwks({})).jwksJson),
      });
      await expect(verifier.verify(old.accessToken!.token)).resolves.toMatchObject({ id: old.user!.id });
      await expect(verifier.verify(fresh.accessToken!.token)).resolves.toMatchObject({ id: old.user!.id });
    } finally {
      after.auth.close();
      await after.service.stop();
      await db.drop();
    }
  });
});
