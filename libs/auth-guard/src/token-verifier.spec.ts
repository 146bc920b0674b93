import { exportJWK, generateKeyPair, KeyLike, SignJWT } from 'jose';
import { DomainError, ErrorKind } from '@parley/errors';
import { TokenVerifier } from './token-verifier';

async function keyPair(kid: string) {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

function sign(key: { kid: string; privateKey: KeyLike }, claims: Record<string, unknown>, expiresIn = '1h') {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: key.kid })
    .setIssuer('parley')
    .setSubject('user-1')
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key.privateKey);
}

describe('TokenVerifier', () => {
  it('accepts a token signed by a published key and returns the user', async () => {
    const key = await keyPair('k1');
    const sut = new TokenVerifier({ fetchJwks: async () => ({ keys: [key.publicJwk] }) });
    await expect(sut.verify(await sign(key, { role: 'admin' }))).resolves.toMatchObject({
      id: 'user-1',
      role: 'admin',
    });
  });

  it('rejects a token signed by a key that is not published (forged)', async () => {
    const real = await keyPair('k1');
    const forger = await keyPair('k1');
    const sut = new TokenVerifier({ fetchJwks: async () => ({ keys: [real.publicJwk] }) });
    await expect(sut.verify(await sign(forger, { role: 'admin' }))).rejects.toMatchObject({
      kind: ErrorKind.Unauthenticated,
    });
  });

  it('rejects an expired token with a message that says so', async () => {
    const key = await keyPair('k1');
    const sut = new TokenVerifier({ fetchJwks: async () => ({ keys: [key.publicJwk] }) });
    const token = await sign(key, { role: 'user' }, '-10s');
    await expect(sut.verify(token)).rejects.toThrow('expired');
  });

  it('picks up a new key id without a restart (key rotation)', async () => {
    const first = await keyPair('k1');
    const second = await keyPair('k2');
    let published = [first.publicJwk];
    const sut = new TokenVerifier({ fetchJwks: async () => ({ keys: published }), minRefetchIntervalMs: 0 });
    await sut.verify(await sign(first, { role: 'user' }));
    published = [first.publicJwk, second.publicJwk];
    await expect(sut.verify(await sign(second, { role: 'user' }))).resolves.toMatchObject({ id: 'user-1' });
    await expect(sut.verify(await sign(first, { role: 'user' }))).resolves.toMatchObject({ id: 'user-1' });
  });

  it('rejects garbage and answers Unavailable when keys cannot be fetched at all', async () => {
    const key = await keyPair('k1');
    const ok = new TokenVerifier({ fetchJwks: async () => ({ keys: [key.publicJwk] }) });
    await expect(ok.verify('not.a.jwt')).rejects.toBeInstanceOf(DomainError);
    const down = new TokenVerifier({
      fetchJwks: async () => {
        throw new Error('connection refused');
      },
    });
    await expect(down.verify(await sign(key, { role: 'user' }))).rejects.toMatchObject({
      kind: ErrorKind.Unavailable,
    });
  });
  it('checks a token’s signature once, but never serves a token past its expiry or a tampered one', async () => {
    const key = await keyPair('k1');
    const sut = new TokenVerifier({ fetchJwks: async () => ({ keys: [key.publicJwk] }) });
    const token = await sign(key, { role: 'user' }, '2s');
    await sut.verify(token);
    const [header, , signature] = token.split('.');
    const claims = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()),
        role: 'admin',
      }),
    ).toString('base64url');
    // The same signature on other claims is not the cached token.
    await expect(sut.verify(`${header}.${claims}.${signature}`)).rejects.toMatchObject({
      kind: ErrorKind.Unauthenticated,
    });
    const verifyCalls = jest.spyOn(sut as unknown as { verifySignature: () => unknown }, 'verifySignature');
    await expect(sut.verify(token)).resolves.toMatchObject({ role: 'user' });
    expect(verifyCalls).not.toHaveBeenCalled();
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await expect(sut.verify(token)).rejects.toThrow('expired');
  });
});
