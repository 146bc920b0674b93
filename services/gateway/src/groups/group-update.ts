import type { MessageInitShape } from '@bufbuild/protobuf';
import type { authV1 } from '@parley/proto';
import type { z } from '../contract/zod-openapi';
import type { groupForm } from './groups.contract';

type GroupChanges = Omit<MessageInitShape<typeof authV1.UpdateGroupRequestSchema>, 'id' | '$typeName'>;

/**
 * A checked group form (REST's field names; what is left out stays) as the auth service's changes: the
 * permissions and the members are replaced when given. Used by REST and the public gRPC API alike.
 */
export function groupUpdateOf(input: Partial<z.infer<typeof groupForm>>): GroupChanges {
  return {
    name: input.name,
    description: input.description,
    permissions: input.permissions ?? {},
    setPermissions: input.permissions !== undefined,
    userIds: input.user_ids ?? [],
    setUserIds: input.user_ids !== undefined,
  };
}
