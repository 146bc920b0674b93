import { OidcTestProvider, startOidcProvider, startStack, Stack } from '@parley/testing';
import { request, signUp } from './support/http';

/** The public callback URL registered at the provider; the test plays the load balancer for it. */
const PUBLIC_CALLBACK = 'http://chat.parley.test/oauth/oidc/callback';

/** A browser's cookie jar for one site, and a fetch that does not follow redirects. */
class Browser {
  private readonly cookies = new Map<string, string>();

  async get(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = pair!.split('=');
      this.cookies.set(name!.trim(), value.join('='));
    }
    return res;
  }
}

/**
 * The full authorization-code flow against a real OpenID provider (oidc-provider), driven the way a
 * browser drives it, with the login on gateway copy A and the callback on gateway copy B.
 */
describe('OpenID Connect sign-in', () => {
  let provider: OidcTestProvider;
  let stack: Stack;
  let a: string;
  let b: string;

  beforeAll(async () => {
    provider = await startOidcProvider({
      redirectUris: [PUBLIC_CALLBACK],
      accounts: {
        alice: {
          email: 'alice@corp.test',
          email_verified: true,
          name: 'Alice Admin',
          roles: ['admin'],
          groups: ['engineering', 'chat-users'],
        },
        bob: {
          email: 'bob@corp.test',
          email_verified: true,
          name: 'Bob User',
          roles: ['user'],
          groups: ['chat-users'],
        },
        eve: {
          email: 'eve@corp.test',
          email_verified: true,
          name: 'Eve Guest',
          roles: ['guest'],
          groups: [],
        },
        carol: { email: 'carol@corp.test', email_verified: true, name: 'Carol', roles: ['user'], groups: [] },
      },
    });
    stack = await startStack({
      copies: { auth: 2, gateway: 2 },
      env: {
        OPENID_PROVIDER_URL: provider.discoveryUrl,
        OAUTH_CLIENT_ID: provider.clientId,
        OAUTH_CLIENT_SECRET: provider.clientSecret,
        OPENID_REDIRECT_URI: PUBLIC_CALLBACK,
        ENABLE_OAUTH_SIGNUP: 'true',
        ENABLE_OAUTH_ROLE_MANAGEMENT: 'true',
        OAUTH_ROLES_CLAIM: 'roles',
        OAUTH_ALLOWED_ROLES: 'user,admin',
        OAUTH_ADMIN_ROLES: 'admin',
        ENABLE_OAUTH_GROUP_MANAGEMENT: 'true',
        ENABLE_OAUTH_GROUP_CREATION: 'true',
        OAUTH_GROUPS_CLAIM: 'groups',
      },
    });
    [a, b] = stack.gatewayUrls as [string, string];
    // The install's first (local) account, so SSO accounts get their roles from the claims.
    await signUp(a, 'Local Admin', 'root@corp.test');
  });

  afterAll(async () => {
    await stack?.stop();
    await provider?.stop();
  });

  /** Login on gateway A, sign in at the provider as `account`, callback delivered to gateway B. */
  async function signInAs(account: string): Promise<{ callback: Response; callbackUrl: string }> {
    const browser = new Browser();
    const login = await browser.get(`${a}/oauth/oidc/login`);
    expect(login.status).toBe(302);
    let location = login.headers.get('location')!;
    expect(location.startsWith(provider.issuer)).toBe(true);
    // Provider: authorization request → interaction (login form) → submit → back to authorization.
    for (let hop = 0; hop < 10 && location.startsWith(provider.issuer); hop++) {
      const url = new URL(location, provider.issuer);
      const page = await browser.get(url.toString());
      if (page.status === 200 && url.pathname.startsWith('/interaction/')) {
        const submitted = await browser.get(`${url.toString()}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `account=${account}`,
        });
        location = new URL(submitted.headers.get('location')!, provider.issuer).toString();
      } else {
        location = new URL(page.headers.get('location')!, provider.issuer).toString();
      }
    }
    expect(location.startsWith(PUBLIC_CALLBACK)).toBe(true);
    // The load balancer sends the callback to the other gateway copy.
    const callbackUrl = location.replace('http://chat.parley.test', b);
    return { callback: await fetch(callbackUrl, { redirect: 'manual' }), callbackUrl };
  }

  const tokenFrom = (res: Response) => /token=([^;]+)/.exec(res.headers.getSetCookie().join(';'))?.[1];

  it('signs a new user in with the callback on another copy, mapping admin role and groups from claims', async () => {
    const { callback, callbackUrl } = await signInAs('alice');
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toMatch(/^\/auth#token=ey/);
    const token = tokenFrom(callback)!;
    const me = await request(b, 'GET', '/api/v1/auths/', { token });
    expect(me.body).toMatchObject({ email: 'alice@corp.test', name: 'Alice Admin', role: 'admin' });
    const groups = await request<Array<{ name: string; user_ids: string[] }>>(a, 'GET', '/api/v1/groups/', {
      token,
    });
    const mine = groups.body
      .filter((g) => g.user_ids.includes((me.body as { id: string }).id))
      .map((g) => g.name);
    expect(mine.sort()).toEqual(['chat-users', 'engineering']);
    // The state was used once: replaying the callback fails.
    const replay = await fetch(callbackUrl, { redirect: 'manual' });
    expect(replay.headers.get('location')).toMatch(/^\/auth\?error=/);
  });

  it('gives a user role to a user claim, and the same account on the next sign-in', async () => {
    const first = tokenFrom((await signInAs('bob')).callback)!;
    const second = tokenFrom((await signInAs('bob')).callback)!;
    const meFirst = await request<{ id: string; role: string }>(a, 'GET', '/api/v1/auths/', { token: first });
    const meSecond = await request<{ id: string }>(b, 'GET', '/api/v1/auths/', { token: second });
    expect(meFirst.body.role).toBe('user');
    expect(meSecond.body.id).toBe(meFirst.body.id);
  });

  it('refuses a user without an allowed role, and an email that belongs to a local account', async () => {
    const eve = (await signInAs('eve')).callback;
    expect(decodeURIComponent(eve.headers.get('location')!)).toContain('no role that is allowed');
    await signUp(a, 'Carol Local', 'carol@corp.test');
    const carol = (await signInAs('carol')).callback;
    expect(decodeURIComponent(carol.headers.get('location')!)).toContain(
      'An account with this email exists already',
    );
  });
});
