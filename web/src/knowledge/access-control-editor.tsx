import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { useApi, type AccessControl, type Group } from '../api';
import { useSessionUser } from '../auth';
import { useT } from '../i18n';

export type AccessMode = 'private' | 'public' | 'groups';

const noOne = () => ({ group_ids: [] as string[], user_ids: [] as string[] });

/** Open WebUI's access_control: null is public, empty rules private, group ids those groups (read). */
export function accessOf(mode: AccessMode, groupIds: readonly string[]): AccessControl {
  if (mode === 'public') return null;
  return {
    read: { group_ids: mode === 'groups' ? [...groupIds] : [], user_ids: [] },
    write: noOne(),
  };
}

export function modeOf(access: AccessControl): { mode: AccessMode; groupIds: string[] } {
  if (access === null) return { mode: 'public', groupIds: [] };
  const groupIds = access.read.group_ids;
  return { mode: groupIds.length > 0 ? 'groups' : 'private', groupIds };
}

interface AccessControlEditorProps {
  mode: AccessMode;
  groupIds: readonly string[];
  onChange: (mode: AccessMode, groupIds: string[]) => void;
  disabled?: boolean;
}

/**
 * Who may read: only me, everyone, or chosen groups. The group list is an admin route, so other users
 * see the groups choice only for what is already set (they can keep or drop it).
 */
export function AccessControlEditor({
  mode,
  groupIds,
  onChange,
  disabled = false,
}: AccessControlEditorProps) {
  const t = useT();
  const api = useApi();
  const name = useId();
  const admin = useSessionUser().role === 'admin';
  const groups = useQuery({
    queryKey: ['admin', 'groups'],
    queryFn: () => api.get<Group[]>('/api/v1/groups/'),
    enabled: admin,
  });
  const modes: AccessMode[] =
    admin || mode === 'groups' ? ['private', 'public', 'groups'] : ['private', 'public'];
  return (
    <fieldset className="access-editor" disabled={disabled}>
      <legend>{t('knowledge.access.label')}</legend>
      {modes.map((m) => (
        <label key={m} className="choice">
          <input
            type="radio"
            name={name}
            value={m}
            checked={mode === m}
            onChange={() => onChange(m, m === 'groups' ? [...groupIds] : [])}
          />
          {t(`knowledge.access.${m}`)}
        </label>
      ))}
      {mode === 'groups' && (
        <div className="access-groups" role="group" aria-label={t('knowledge.access.groupsLabel')}>
          {(groups.data ?? []).length === 0 && groupIds.length === 0 ? (
            <p className="muted">{t('knowledge.access.noGroups')}</p>
          ) : (
            (groups.data ?? groupIds.map((id) => ({ id, name: id }))).map((g) => (
              <label key={g.id} className="choice">
                <input
                  type="checkbox"
                  checked={groupIds.includes(g.id)}
                  onChange={(e) =>
                    onChange(
                      'groups',
                      e.target.checked ? [...groupIds, g.id] : groupIds.filter((id) => id !== g.id),
                    )
                  }
                />
                {g.name}
              </label>
            ))
          )}
        </div>
      )}
    </fieldset>
  );
}
