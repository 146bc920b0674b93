import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useApi, type UserRole } from '../api';
import { errorMessage } from '../app/error-message';
import { useSessionUser } from '../auth';
import { useI18n } from '../i18n';
import { ConfirmButton } from '../settings/confirm-button';
import { adminApi, adminKeys, type AdminUser } from './admin-api';
import { useDebounced } from './use-debounced';

const ROLES: readonly UserRole[] = ['pending', 'user', 'admin'];
const ROLE_LABELS: Record<UserRole, `admin.role.${UserRole}`> = {
  pending: 'admin.role.pending',
  user: 'admin.role.user',
  admin: 'admin.role.admin',
};

/** Every account: search by name or email, a page at a time; approve, change role, delete. */
export function UsersPanel() {
  const { t, locale } = useI18n();
  const api = useApi();
  const me = useSessionUser();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(0);
  const query = useDebounced(search.trim());
  const searchId = useId();
  const headingId = useId();

  const users = useQuery({
    queryKey: adminKeys.users(query, page),
    queryFn: async () => {
      const result = await adminApi.listUsers(api, query, page);
      // The server's page size: any page but the last is full.
      setPageSize((size) => Math.max(size, result.users.length));
      return result;
    },
    placeholderData: keepPreviousData,
  });

  const update = useMutation({
    mutationFn: ({ user, role }: { user: AdminUser; role: UserRole }) =>
      adminApi.updateUser(api, user.id, { role }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: adminKeys.allUsers }),
  });
  const remove = useMutation({
    mutationFn: (user: AdminUser) => adminApi.deleteUser(api, user.id),
    onSettled: () => queryClient.invalidateQueries({ queryKey: adminKeys.allUsers }),
  });

  const data = users.data;
  const first = data && data.users.length > 0 ? (page - 1) * pageSize + 1 : 0;
  const last = data ? (page - 1) * pageSize + data.users.length : 0;
  const hasNext = data ? last < data.total : false;
  const date = (seconds: number) =>
    new Date(seconds * 1000).toLocaleDateString(locale, { dateStyle: 'medium' });
  const failure = update.error ?? remove.error;

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('admin.users.title')}</h2>
      <div className="field">
        <label htmlFor={searchId}>{t('admin.users.search')}</label>
        <input
          id={searchId}
          type="search"
          value={search}
          placeholder={t('admin.users.searchPlaceholder')}
          onChange={(event) => {
            setSearch(event.target.value);
            setPage(1);
          }}
        />
      </div>
      {failure && (
        <p className="error" role="alert">
          {errorMessage(failure, t)}
        </p>
      )}
      {users.isPending ? (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      ) : users.isError ? (
        <div className="error" role="alert">
          <p>{errorMessage(users.error, t)}</p>
          <button type="button" onClick={() => void users.refetch()}>
            {t('errors.retry')}
          </button>
        </div>
      ) : data && data.users.length === 0 ? (
        <p className="muted">{t('admin.users.none')}</p>
      ) : (
        <ul className="row-list" aria-labelledby={headingId} aria-busy={users.isFetching}>
          {data?.users.map((user) => (
            <li key={user.id} className="row">
              <div className="row-main">
                <span className="row-title">
                  {user.name}
                  {user.id === me.id && <span className="muted"> {t('admin.users.you')}</span>}
                </span>
                <span className="muted row-sub">{user.email}</span>
                <span className="muted row-sub">
                  {t('admin.users.joined', { date: date(user.created_at) })}
                </span>
              </div>
              <div className="row-actions">
                {user.role === 'pending' && (
                  <button
                    type="button"
                    className="primary"
                    aria-label={t('admin.users.approveNamed', { name: user.name })}
                    disabled={update.isPending}
                    onClick={() => update.mutate({ user, role: 'user' })}
                  >
                    {t('admin.users.approve')}
                  </button>
                )}
                <select
                  aria-label={t('admin.users.roleOf', { name: user.name })}
                  value={user.role}
                  disabled={user.id === me.id || update.isPending}
                  onChange={(event) => update.mutate({ user, role: event.target.value as UserRole })}
                >
                  {ROLES.map((role) => (
                    <option key={role} value={role}>
                      {t(ROLE_LABELS[role])}
                    </option>
                  ))}
                </select>
                {user.id !== me.id && (
                  <ConfirmButton
                    label={t('admin.delete')}
                    ariaLabel={t('admin.users.deleteNamed', { name: user.name })}
                    question={t('admin.users.deleteQuestion', { name: user.name })}
                    confirmLabel={t('admin.delete')}
                    disabled={remove.isPending}
                    onConfirm={() => remove.mutate(user)}
                  />
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {data && data.total > 0 && (
        <nav className="pager" aria-label={t('admin.users.pages')}>
          <button type="button" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
            {t('admin.previous')}
          </button>
          <span role="status">{t('admin.users.range', { first, last, total: data.total })}</span>
          <button type="button" disabled={!hasNext} onClick={() => setPage((p) => p + 1)}>
            {t('admin.next')}
          </button>
        </nav>
      )}
    </section>
  );
}
