import { startLdapServer, LdapServer, startStack, Stack } from '@parley/testing';
import { request, signUp } from './support/http';

/** Sign-in against a real OpenLDAP (slapd) through the gateway and the auth service. */
describe('LDAP sign-in', () => {
  let ldap: LdapServer;
  let stack: Stack;
  let gateway: string;

  beforeAll(async () => {
    ldap = await startLdapServer([
      {
        uid: 'alice',
        password: 'alice-pw',
        cn: 'Alice Liddell',
        mail: 'Alice@Corp.Test',
        employeeType: 'staff',
      },
      { uid: 'bob', password: 'bob-pw', cn: 'Bob Nomail', employeeType: 'staff' },
      {
        uid: 'carol',
        password: 'carol-pw',
        cn: 'Carol Contractor',
        mail: 'carol@corp.test',
        employeeType: 'contractor',
      },
      { uid: 'dave', password: 'dave-pw', cn: 'Dave Local', mail: 'dave@corp.test', employeeType: 'staff' },
    ]);
    stack = await startStack({
      copies: { auth: 1, gateway: 1 },
      env: {
        DEFAULT_USER_ROLE: 'user',
        ENABLE_LDAP: 'true',
        LDAP_SERVER_HOST: ldap.host,
        LDAP_SERVER_PORT: String(ldap.port),
        LDAP_APP_DN: ldap.appDn,
        LDAP_APP_PASSWORD: ldap.appPassword,
        LDAP_SEARCH_BASE: `ou=people,${ldap.baseDn}`,
        LDAP_ATTRIBUTE_FOR_USERNAME: 'uid',
        LDAP_ATTRIBUTE_FOR_MAIL: 'mail',
        LDAP_SEARCH_FILTERS: '(employeeType=staff)',
      },
    });
    gateway = stack.gatewayUrls[0]!;
    // The install's first account, so directory users get the default role.
    await signUp(gateway, 'Admin', 'admin@corp.test');
  });

  afterAll(async () => {
    await stack?.stop();
    await ldap?.stop();
  });

  const ldapSignIn = (user: string, password: string) =>
    request<{ id: string; email: string; name: string; role: string; token: string }>(
      gateway,
      'POST',
      '/api/v1/auths/ldap',
      {
        body: { user, password },
      },
    );

  it("signs a directory user in by the entry's mail, creating the account once", async () => {
    const first = await ldapSignIn('alice', 'alice-pw');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ email: 'alice@corp.test', name: 'Alice Liddell', role: 'user' });
    const me = await request(gateway, 'GET', '/api/v1/auths/', { token: first.body.token });
    expect(me.body).toMatchObject({ id: first.body.id, email: 'alice@corp.test' });
    const again = await ldapSignIn('alice', 'alice-pw');
    expect(again.body.id).toBe(first.body.id);
  });

  it('lands on the existing account that has the directory email, whatever the client typed', async () => {
    const local = await signUp(gateway, 'Dave', 'DAVE@corp.test');
    const viaLdap = await ldapSignIn('dave', 'dave-pw');
    expect(viaLdap.status).toBe(200);
    expect(viaLdap.body.id).toBe(local.id);
  });

  it('rejects a wrong password and a user outside the search filter with the same 401', async () => {
    const wrong = await ldapSignIn('alice', 'not-her-password');
    const outside = await ldapSignIn('carol', 'carol-pw');
    const unknown = await ldapSignIn('mallory', 'whatever');
    for (const res of [wrong, outside, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        detail: 'The username or password is incorrect.',
        code: expect.any(String),
      });
    }
  });

  it('tells a directory user without an email address what is missing', async () => {
    const res = await ldapSignIn('bob', 'bob-pw');
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      detail: expect.stringContaining('no email address (the mail attribute)'),
      code: expect.any(String),
    });
  });

  it('refuses LDAP filter injection in the username', async () => {
    const res = await ldapSignIn('*)(uid=*', 'alice-pw');
    expect(res.status).toBe(401);
  });
});
