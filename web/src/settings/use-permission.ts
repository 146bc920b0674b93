import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api';
import { useSessionUser } from '../auth';

export const permissionKeys = { mine: ['permissions', 'mine'] as const };

/**
 * Whether the signed-in user holds a permission such as `workspace.knowledge` (Open WebUI's
 * `{workspace: {knowledge: true}}`); admins hold them all. Only shapes the menu: the server decides.
 */
export function usePermission(path: `${string}.${string}`): boolean {
  const api = useApi();
  const user = useSessionUser();
  const admin = user.role === 'admin';
  const permissions = useQuery({
    queryKey: permissionKeys.mine,
    queryFn: ({ signal }) => api.get<Record<string, unknown>>('/api/v1/users/permissions', { signal }),
    enabled: !admin,
    staleTime: 60_000,
  });
  if (admin) return true;
  let value: unknown = permissions.data;
  for (const part of path.split('.')) {
    value =
      typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  }
  return value === true;
}
