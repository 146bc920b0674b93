import { Metadata } from '@grpc/grpc-js';
import { DomainError, ErrorKind } from '@parley/errors';
import type { AuthenticatedUser } from '@parley/auth-guard';
import { BearerCallAuthenticator } from './bearer-call-authenticator';

function metadataWith(authorization?: string): Metadata {
  const metadata = new Metadata();
  if (authorization !== undefined) metadata.set('authorization', authorization);
  return metadata;
}

describe('BearerCallAuthenticator', () => {
  const users: Record<string, AuthenticatedUser> = {
    'sk-good': { id: 'u1', role: 'user', apiKeyId: 'k1' },
    'sk-pending': { id: 'u2', role: 'pending' },
  };
  const seenPaths: string[] = [];
  const sut = new BearerCallAuthenticator(
    {
      authenticate: async (credential, { path }) => {
        seenPaths.push(path);
        const user = users[credential];
        if (!user) throw new DomainError(ErrorKind.Unauthenticated, 'bad');
        return user;
      },
    },
    {
      callerOf: async (user) => ({
        kind: 'user',
        userId: user.id,
        role: 'user',
        groupIds: [],
        permissions: new Set(),
      }),
    },
  );

  it('acts as the user of the Bearer credential, checked against the method path', async () => {
    const caller = await sut.authenticateCall(
      metadataWith('Bearer sk-good'),
      'parley.api.v1.ChatService/GetChat',
    );
    expect(caller).toMatchObject({ kind: 'user', userId: 'u1' });
    expect(seenPaths.at(-1)).toBe('/parley.api.v1.ChatService/GetChat');
  });

  it.each([undefined, '', 'sk-good', 'Basic abc', 'Bearer', 'Bearer a b'])(
    'refuses authorization %p as UNAUTHENTICATED before looking anything up',
    async (header) => {
      const before = seenPaths.length;
      await expect(sut.authenticateCall(metadataWith(header), 'm')).rejects.toMatchObject({
        kind: ErrorKind.Unauthenticated,
      });
      expect(seenPaths.length).toBe(before);
    },
  );

  it('passes on a refused credential, and refuses pending users', async () => {
    await expect(sut.authenticateCall(metadataWith('Bearer sk-bad'), 'm')).rejects.toMatchObject({
      kind: ErrorKind.Unauthenticated,
    });
    await expect(sut.authenticateCall(metadataWith('Bearer sk-pending'), 'm')).rejects.toMatchObject({
      kind: ErrorKind.PermissionDenied,
    });
  });
});
