import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useApi } from '../api';
import { errorMessage } from '../app/error-message';
import { useT } from '../i18n';
import { modelKeys } from '../models';
import { ConfirmButton } from '../settings/confirm-button';
import { adminApi, adminKeys, type Connection, type ConnectionKind, type ConnectionsView } from './admin-api';

type Check = { state: 'checking' } | { state: 'ok'; models: number } | { state: 'failed'; message: string };

const TITLES: Record<ConnectionKind, `admin.connections.${ConnectionKind}`> = {
  openai: 'admin.connections.openai',
  ollama: 'admin.connections.ollama',
};

/** Upstream model servers: OpenAI-compatible and Ollama, each a list the admin edits. */
export function ConnectionsPanel() {
  return (
    <>
      <ConnectionsSection kind="openai" />
      <ConnectionsSection kind="ollama" />
    </>
  );
}

/** The server masks stored keys (`sk-…abcd`, `****`); such a value is not a key. */
export function isMaskedKey(key: string): boolean {
  return key === '****' || /[^\x20-\x7e]/.test(key);
}

function modelCount(reply: unknown): number {
  if (typeof reply !== 'object' || reply === null) return 0;
  const list = (reply as { data?: unknown; models?: unknown }).data ?? (reply as { models?: unknown }).models;
  return Array.isArray(list) ? list.length : 0;
}

function ConnectionsSection({ kind }: { kind: ConnectionKind }) {
  const t = useT();
  const api = useApi();
  const queryClient = useQueryClient();
  const headingId = useId();
  const urlId = useId();
  const keyId = useId();
  const [url, setUrl] = useState('');
  const [key, setKey] = useState('');
  const [checks, setChecks] = useState<Record<string, Check>>({});
  // Keys typed on this page, by URL: the server only ever shows them masked, and a masked key cannot
  // be sent upstream. A stored connection whose key was typed elsewhere is tested without one.
  const [typedKeys, setTypedKeys] = useState<Record<string, string>>({});
  const config = useQuery({
    queryKey: adminKeys.connections(kind),
    queryFn: () => adminApi.getConnections(api, kind),
  });
  const save = useMutation({
    mutationFn: (view: ConnectionsView) => adminApi.saveConnections(api, kind, view),
    onSuccess: (saved) => {
      queryClient.setQueryData(adminKeys.connections(kind), saved);
      // Other connections offer other models: the chat's picker asks again.
      void queryClient.invalidateQueries({ queryKey: modelKeys.list });
    },
  });

  const view = config.data;
  const change = (next: Partial<ConnectionsView>) => view && save.mutate({ ...view, ...next });
  const setConnection = (index: number, patch: Partial<Connection>) =>
    view && change({ connections: view.connections.map((c, i) => (i === index ? { ...c, ...patch } : c)) });

  async function check(target: string, usableKey: string) {
    setChecks((all) => ({ ...all, [target]: { state: 'checking' } }));
    try {
      const reply = await adminApi.verifyConnection(api, kind, target, usableKey);
      setChecks((all) => ({ ...all, [target]: { state: 'ok', models: modelCount(reply) } }));
    } catch (error) {
      setChecks((all) => ({ ...all, [target]: { state: 'failed', message: errorMessage(error, t) } }));
    }
  }

  const test = (target: string, shownKey: string) =>
    check(target, typedKeys[target] ?? (isMaskedKey(shownKey) ? '' : shownKey));

  function add(event: FormEvent) {
    event.preventDefault();
    const trimmed = url.trim().replace(/\/+$/, '');
    if (!view || !trimmed) return;
    save.mutate(
      {
        ...view,
        connections: [...view.connections, { url: trimmed, key, enable: true, prefix_id: '', model_ids: [] }],
      },
      {
        onSuccess: () => {
          setUrl('');
          setKey('');
          setTypedKeys((all) => ({ ...all, [trimmed]: key }));
          void check(trimmed, key);
        },
      },
    );
  }

  const describe = (result: Check | undefined) => {
    if (!result) return '';
    if (result.state === 'checking') return t('admin.connections.checking');
    if (result.state === 'ok') return t('admin.connections.verified', { count: result.models });
    return t('admin.connections.failed', { message: result.message });
  };

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t(TITLES[kind])}</h2>
      {config.isPending ? (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      ) : config.isError ? (
        <p className="error" role="alert">
          {errorMessage(config.error, t)}
        </p>
      ) : (
        <>
          <label className="choice">
            <input
              type="checkbox"
              checked={config.data.enabled}
              disabled={save.isPending}
              onChange={(e) => change({ enabled: e.target.checked })}
            />
            {t('admin.connections.enableAll')}
          </label>
          {config.data.connections.length === 0 ? (
            <p className="muted">{t('admin.connections.none')}</p>
          ) : (
            <ul className="row-list" aria-labelledby={headingId}>
              {config.data.connections.map((connection, index) => {
                const check = checks[connection.url];
                return (
                  <li key={`${index}-${connection.url}`} className="row">
                    <div className="row-main">
                      <span className="row-title mono">{connection.url}</span>
                      {connection.key && <span className="muted row-sub mono">{connection.key}</span>}
                      <span
                        role="status"
                        className={check?.state === 'failed' ? 'row-sub check-failed' : 'row-sub check-ok'}
                      >
                        {describe(check)}
                      </span>
                    </div>
                    <div className="row-actions">
                      <label className="choice">
                        <input
                          type="checkbox"
                          checked={connection.enable}
                          disabled={save.isPending}
                          onChange={(e) => setConnection(index, { enable: e.target.checked })}
                        />
                        {t('admin.connections.enabled')}
                      </label>
                      <button
                        type="button"
                        aria-label={t('admin.connections.testNamed', { url: connection.url })}
                        disabled={check?.state === 'checking'}
                        onClick={() => void test(connection.url, connection.key)}
                      >
                        {t('admin.connections.test')}
                      </button>
                      <ConfirmButton
                        label={t('admin.connections.remove')}
                        ariaLabel={t('admin.connections.removeNamed', { url: connection.url })}
                        question={t('admin.connections.removeQuestion', { url: connection.url })}
                        confirmLabel={t('admin.connections.remove')}
                        disabled={save.isPending}
                        onConfirm={() =>
                          change({ connections: config.data.connections.filter((_, i) => i !== index) })
                        }
                      />
                    </div>
                  </li>
                );
              })}
            </ul>
          )}
          <form
            className="inline-form"
            onSubmit={add}
            aria-label={t('admin.connections.addTitle', { kind: t(TITLES[kind]) })}
          >
            <div className="field">
              <label htmlFor={urlId}>{t('admin.connections.url')}</label>
              <input
                id={urlId}
                type="url"
                required
                value={url}
                placeholder={kind === 'openai' ? 'https://api.openai.com/v1' : 'http://localhost:11434'}
                onChange={(e) => setUrl(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor={keyId}>{t('admin.connections.key')}</label>
              <input
                id={keyId}
                type="password"
                autoComplete="off"
                value={key}
                onChange={(e) => setKey(e.target.value)}
              />
            </div>
            <button type="submit" className="primary" disabled={save.isPending}>
              {t('admin.connections.add')}
            </button>
          </form>
        </>
      )}
      {save.isError && (
        <p className="error" role="alert">
          {errorMessage(save.error, t)}
        </p>
      )}
    </section>
  );
}
