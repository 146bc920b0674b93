import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useApi } from '../api';
import { errorMessage } from '../app/error-message';
import { useT } from '../i18n';
import { ConfirmButton } from '../settings/confirm-button';
import { adminApi, adminKeys, flatPermissions, PERMISSION_FLAGS, type Group } from './admin-api';
import { useDebounced } from './use-debounced';

/** Groups of users and the permission flags they grant on top of the defaults. */
export function GroupsPanel() {
  const t = useT();
  const api = useApi();
  const queryClient = useQueryClient();
  const headingId = useId();
  const nameId = useId();
  const descriptionId = useId();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [openId, setOpenId] = useState<string | null>(null);
  const groups = useQuery({ queryKey: adminKeys.groups, queryFn: () => adminApi.listGroups(api) });
  const create = useMutation({
    mutationFn: () => adminApi.createGroup(api, { name: name.trim(), description: description.trim() }),
    onSuccess: (group) => {
      setName('');
      setDescription('');
      setOpenId(group.id);
      return queryClient.invalidateQueries({ queryKey: adminKeys.groups });
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (name.trim()) create.mutate();
  }

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('admin.groups.title')}</h2>
      <form className="inline-form" onSubmit={submit}>
        <div className="field">
          <label htmlFor={nameId}>{t('admin.groups.name')}</label>
          <input
            id={nameId}
            value={name}
            required
            maxLength={100}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={descriptionId}>{t('admin.groups.description')}</label>
          <input
            id={descriptionId}
            value={description}
            maxLength={2000}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
        <button type="submit" className="primary" disabled={create.isPending}>
          {t('admin.groups.create')}
        </button>
      </form>
      {create.isError && (
        <p className="error" role="alert">
          {errorMessage(create.error, t)}
        </p>
      )}
      {groups.isPending ? (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      ) : groups.isError ? (
        <p className="error" role="alert">
          {errorMessage(groups.error, t)}
        </p>
      ) : groups.data.length === 0 ? (
        <p className="muted">{t('admin.groups.none')}</p>
      ) : (
        <ul className="row-list">
          {groups.data.map((group) => (
            <li key={group.id} className="row column">
              <div className="row-head">
                <div className="row-main">
                  <span className="row-title">{group.name}</span>
                  <span className="muted row-sub">
                    {t('admin.groups.memberCount', { count: group.user_ids.length })}
                    {group.description ? ` · ${group.description}` : ''}
                  </span>
                </div>
                <button
                  type="button"
                  aria-expanded={openId === group.id}
                  aria-label={t('admin.groups.editNamed', { name: group.name })}
                  onClick={() => setOpenId(openId === group.id ? null : group.id)}
                >
                  {openId === group.id ? t('admin.groups.close') : t('admin.groups.edit')}
                </button>
              </div>
              {openId === group.id && <GroupEditor group={group} onDeleted={() => setOpenId(null)} />}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function GroupEditor({ group, onDeleted }: { group: Group; onDeleted: () => void }) {
  const t = useT();
  const api = useApi();
  const queryClient = useQueryClient();
  const [permissions, setPermissions] = useState<Record<string, boolean>>(() =>
    flatPermissions(group.permissions),
  );
  const [members, setMembers] = useState<string[]>(group.user_ids);
  const [search, setSearch] = useState('');
  const query = useDebounced(search.trim());
  const searchId = useId();
  const users = useQuery({
    queryKey: adminKeys.users(query, 1),
    queryFn: () => adminApi.listUsers(api, query, 1),
  });
  const save = useMutation({
    mutationFn: () => adminApi.updateGroup(api, group.id, { permissions, user_ids: members }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: adminKeys.groups }),
  });
  const remove = useMutation({
    mutationFn: () => adminApi.deleteGroup(api, group.id),
    onSuccess: async () => {
      onDeleted();
      await queryClient.invalidateQueries({ queryKey: adminKeys.groups });
    },
  });

  const toggleMember = (id: string, on: boolean) =>
    setMembers((list) => (on ? [...new Set([...list, id])] : list.filter((m) => m !== id)));

  return (
    <div className="group-editor">
      <fieldset className="choice-group">
        <legend>{t('admin.groups.permissions')}</legend>
        <div className="flag-grid">
          {PERMISSION_FLAGS.map((flag) => (
            <label key={flag} className="choice">
              <input
                type="checkbox"
                checked={permissions[flag] === true}
                onChange={(e) => setPermissions((p) => ({ ...p, [flag]: e.target.checked }))}
              />
              <code>{flag}</code>
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset className="choice-group">
        <legend>{t('admin.groups.members', { count: members.length })}</legend>
        <div className="field">
          <label htmlFor={searchId}>{t('admin.users.search')}</label>
          <input id={searchId} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </div>
        {users.data?.users.map((user) => (
          <label key={user.id} className="choice">
            <input
              type="checkbox"
              checked={members.includes(user.id)}
              onChange={(e) => toggleMember(user.id, e.target.checked)}
            />
            {user.name} <span className="muted">{user.email}</span>
          </label>
        ))}
      </fieldset>
      <div className="actions">
        <button type="button" className="primary" disabled={save.isPending} onClick={() => save.mutate()}>
          {t('settings.save')}
        </button>
        <ConfirmButton
          label={t('admin.delete')}
          ariaLabel={t('admin.groups.deleteNamed', { name: group.name })}
          question={t('admin.groups.deleteQuestion', { name: group.name })}
          confirmLabel={t('admin.delete')}
          onConfirm={() => remove.mutate()}
        />
      </div>
      <p role="status" className="muted">
        {save.isSuccess ? t('admin.saved') : ''}
      </p>
      {(save.error ?? remove.error) && (
        <p className="error" role="alert">
          {errorMessage(save.error ?? remove.error, t)}
        </p>
      )}
    </div>
  );
}
