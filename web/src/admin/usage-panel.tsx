import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useApi } from '../api';
import { errorMessage } from '../app/error-message';
import { useI18n } from '../i18n';
import { ConfirmButton } from '../settings/confirm-button';
import { adminApi, adminKeys } from './admin-api';
import { presetKeys, usageApi, type UsageLimit } from './presets-api';

const PAGE_SIZE = 20;

/** Token usage per user, model and day, and the quotas (requests per minute, tokens per day). */
export function UsagePanel() {
  return (
    <>
      <UsageTable />
      <LimitsSection />
    </>
  );
}

function useNames() {
  const api = useApi();
  const users = useQuery({ queryKey: adminKeys.users('', 1), queryFn: () => adminApi.listUsers(api, '', 1) });
  const groups = useQuery({ queryKey: adminKeys.groups, queryFn: () => adminApi.listGroups(api) });
  const userName = (id: string) => users.data?.users.find((u) => u.id === id)?.name ?? id;
  const groupName = (id: string) => groups.data?.find((g) => g.id === id)?.name ?? id;
  return { users: users.data?.users ?? [], groups: groups.data ?? [], userName, groupName };
}

function UsageTable() {
  const { t, locale } = useI18n();
  const api = useApi();
  const headingId = useId();
  const [page, setPage] = useState(1);
  const { userName } = useNames();
  const usage = useQuery({
    queryKey: presetKeys.usage(page),
    queryFn: () => usageApi.list(api, page, PAGE_SIZE),
    placeholderData: keepPreviousData,
  });
  const n = (value: number) => value.toLocaleString(locale);
  const data = usage.data;

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('admin.usage.title')}</h2>
      {usage.isPending ? (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      ) : usage.isError ? (
        <p className="error" role="alert">
          {errorMessage(usage.error, t)}
        </p>
      ) : (
        <>
          <p>
            {t('admin.usage.totals', {
              tokens: n(usage.data.totals.total_tokens),
              requests: n(usage.data.totals.requests),
            })}
          </p>
          {usage.data.items.length === 0 ? (
            <p className="muted">{t('admin.usage.none')}</p>
          ) : (
            <div className="table-scroll">
              <table className="data-table">
                <caption className="visually-hidden">{t('admin.usage.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('admin.usage.date')}</th>
                    <th scope="col">{t('admin.usage.user')}</th>
                    <th scope="col">{t('admin.usage.model')}</th>
                    <th scope="col" className="num">
                      {t('admin.usage.tokens')}
                    </th>
                    <th scope="col" className="num">
                      {t('admin.usage.requests')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {usage.data.items.map((row) => (
                    <tr key={`${row.date}-${row.user_id}-${row.model}`}>
                      <td>{row.date}</td>
                      <td>{userName(row.user_id)}</td>
                      <td className="mono">{row.model}</td>
                      <td className="num">{n(row.total_tokens)}</td>
                      <td className="num">{n(row.requests)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
      {data && data.total > PAGE_SIZE && (
        <nav className="pager" aria-label={t('admin.usage.pages')}>
          <button type="button" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
            {t('admin.previous')}
          </button>
          <span>{t('admin.usage.page', { page, pages: Math.ceil(data.total / PAGE_SIZE) })}</span>
          <button
            type="button"
            disabled={page * PAGE_SIZE >= data.total}
            onClick={() => setPage((p) => p + 1)}
          >
            {t('admin.next')}
          </button>
        </nav>
      )}
    </section>
  );
}

function LimitsSection() {
  const { t, locale } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const headingId = useId();
  const ids = { kind: useId(), subject: useId(), rpm: useId(), tpd: useId() };
  const { users, groups, userName, groupName } = useNames();
  const [kind, setKind] = useState<'users' | 'groups'>('groups');
  const [subject, setSubject] = useState('');
  const [rpm, setRpm] = useState('');
  const [tpd, setTpd] = useState('');
  const limits = useQuery({ queryKey: presetKeys.limits, queryFn: () => usageApi.limits(api) });
  const toNumber = (text: string) => (text.trim() === '' ? null : Number(text));
  const save = useMutation({
    mutationFn: () =>
      usageApi.setLimit(api, kind, subject, {
        requests_per_minute: toNumber(rpm),
        tokens_per_day: toNumber(tpd),
      }),
    onSuccess: () => {
      setRpm('');
      setTpd('');
      return queryClient.invalidateQueries({ queryKey: presetKeys.limits });
    },
  });
  const remove = useMutation({
    mutationFn: (limit: UsageLimit) =>
      usageApi.removeLimit(api, limit.subject === 'user' ? 'users' : 'groups', limit.id),
    onSettled: () => queryClient.invalidateQueries({ queryKey: presetKeys.limits }),
  });

  const show = (
    value: number | null,
    fallback: 'admin.usage.inherit' | 'admin.usage.unlimited' = 'admin.usage.inherit',
  ) => (value === null ? t(fallback) : value.toLocaleString(locale));
  const nameOf = (limit: UsageLimit) => (limit.subject === 'user' ? userName(limit.id) : groupName(limit.id));

  function submit(event: FormEvent) {
    event.preventDefault();
    if (subject) save.mutate();
  }

  const options =
    kind === 'users' ? users.map((u) => ({ id: u.id, name: `${u.name} (${u.email})` })) : groups;
  const all = limits.data ? [...limits.data.groups, ...limits.data.users] : [];

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('admin.usage.limits')}</h2>
      {limits.isError && (
        <p className="error" role="alert">
          {errorMessage(limits.error, t)}
        </p>
      )}
      {limits.data && (
        <>
          <p>
            {t('admin.usage.defaults', {
              rpm: show(limits.data.defaults.requests_per_minute, 'admin.usage.unlimited'),
              tpd: show(limits.data.defaults.tokens_per_day, 'admin.usage.unlimited'),
            })}
          </p>
          {all.length > 0 && (
            <ul className="row-list" aria-label={t('admin.usage.limits')}>
              {all.map((limit) => (
                <li key={`${limit.subject}-${limit.id}`} className="row">
                  <div className="row-main">
                    <span className="row-title">
                      {nameOf(limit)}{' '}
                      <span className="muted">
                        ({limit.subject === 'user' ? t('admin.usage.aUser') : t('admin.usage.aGroup')})
                      </span>
                    </span>
                    <span className="muted row-sub">
                      {t('admin.usage.limitLine', {
                        rpm: show(limit.requests_per_minute),
                        tpd: show(limit.tokens_per_day),
                      })}
                    </span>
                  </div>
                  <ConfirmButton
                    label={t('admin.connections.remove')}
                    ariaLabel={t('admin.usage.removeNamed', { name: nameOf(limit) })}
                    question={t('admin.usage.removeQuestion', { name: nameOf(limit) })}
                    confirmLabel={t('admin.connections.remove')}
                    onConfirm={() => remove.mutate(limit)}
                  />
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <form className="inline-form" onSubmit={submit}>
        <div className="field">
          <label htmlFor={ids.kind}>{t('admin.usage.for')}</label>
          <select
            id={ids.kind}
            value={kind}
            onChange={(e) => {
              setKind(e.target.value === 'users' ? 'users' : 'groups');
              setSubject('');
            }}
          >
            <option value="groups">{t('admin.usage.aGroup')}</option>
            <option value="users">{t('admin.usage.aUser')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.subject}>{t('admin.usage.who')}</label>
          <select id={ids.subject} required value={subject} onChange={(e) => setSubject(e.target.value)}>
            <option value="">—</option>
            {options.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.rpm}>{t('admin.usage.rpm')}</label>
          <input
            id={ids.rpm}
            type="number"
            min={0}
            step={1}
            value={rpm}
            onChange={(e) => setRpm(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.tpd}>{t('admin.usage.tpd')}</label>
          <input
            id={ids.tpd}
            type="number"
            min={0}
            step={1}
            value={tpd}
            onChange={(e) => setTpd(e.target.value)}
          />
        </div>
        <button type="submit" className="primary" disabled={save.isPending}>
          {t('admin.usage.setLimit')}
        </button>
      </form>
      {(save.error ?? remove.error) && (
        <p className="error" role="alert">
          {errorMessage(save.error ?? remove.error, t)}
        </p>
      )}
    </section>
  );
}
