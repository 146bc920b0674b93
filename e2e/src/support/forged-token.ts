import { generateKeyPair, SignJWT } from 'jose';

/** A token shaped exactly like ours but signed by a key the auth service never published. */
export async function forgedToken(userId: string, role = 'admin', kid?: string): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT({ id: userId, role })
    .setProtectedHeader({ alg: 'ES256', kid: kid ?? 'forged-key', typ: 'JWT' })
    .setIssuer('parley')
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
}
