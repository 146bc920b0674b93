import { DomainError, ErrorKind } from '@parley/errors';
import type { UserCaller } from '@parley/grpc';
import type { DownstreamClients } from '../downstream/downstream-clients';

export interface PublicProfile {
  id: string;
  name: string;
  profile_image_url: string;
}

/** Public profiles by user id, for lists that show an owner; a user who is gone is left out. */
export async function publicProfiles(
  auth: DownstreamClients['auth'],
  caller: UserCaller,
  ids: Iterable<string>,
): Promise<Map<string, PublicProfile>> {
  const found = new Map<string, PublicProfile>();
  await Promise.all(
    [...new Set(ids)].map(async (id) => {
      try {
        const p = await auth.getPublicProfile({ id }, { caller });
        found.set(id, { id, name: p.name, profile_image_url: p.profileImageUrl });
      } catch (error) {
        if (!(error instanceof DomainError && error.kind === ErrorKind.NotFound)) throw error;
      }
    }),
  );
  return found;
}
