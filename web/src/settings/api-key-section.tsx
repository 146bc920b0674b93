import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useApi } from '../api';
import { useI18n } from '../i18n';
import { ConfirmButton } from './confirm-button';
import { Outcome, Section } from './page-shell';
import { settingsApi, settingsKeys } from './settings-api';

/**
 * One API key per user. A new key is shown in full once, right after it is made, with a copy
 * button; after "Done" (or leaving the page) only its masked form is ever shown again.
 */
export function ApiKeySection() {
  const { t, locale } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [fresh, setFresh] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const freshId = useId();
  const key = useQuery({ queryKey: settingsKeys.apiKey, queryFn: () => settingsApi.getApiKey(api) });

  const create = useMutation({
    mutationFn: () => settingsApi.createApiKey(api),
    onSuccess: (created) => {
      setFresh(created.api_key);
      setCopied(false);
      // The cache only ever holds the masked form.
      void queryClient.invalidateQueries({ queryKey: settingsKeys.apiKey });
    },
  });
  const revoke = useMutation({
    mutationFn: () => settingsApi.deleteApiKey(api),
    onSuccess: () => {
      setFresh(null);
      queryClient.setQueryData(settingsKeys.apiKey, null);
    },
  });

  async function copy(text: string) {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      // No clipboard access (http, permissions): the text is selected for a manual copy instead.
      (document.getElementById(freshId) as HTMLInputElement | null)?.select();
    }
  }

  const date = (seconds: number) =>
    new Date(seconds * 1000).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const info = key.data;
  const failure = key.error ?? create.error ?? revoke.error;

  return (
    <Section title={t('settings.apiKey.title')}>
      <p className="muted">{t('settings.apiKey.intro')}</p>
      {fresh ? (
        <div className="notice fresh-key">
          <label htmlFor={freshId}>{t('settings.apiKey.copyNow')}</label>
          <div className="copy-row">
            <input id={freshId} readOnly value={fresh} className="mono" onFocus={(e) => e.target.select()} />
            <button type="button" onClick={() => void copy(fresh)}>
              {t('settings.apiKey.copy')}
            </button>
          </div>
          <p role="status" className="muted">
            {copied ? t('settings.apiKey.copied') : ''}
          </p>
          <button type="button" className="primary" onClick={() => setFresh(null)}>
            {t('settings.apiKey.done')}
          </button>
        </div>
      ) : key.isPending ? (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      ) : info ? (
        <dl className="key-info">
          <dt>{t('settings.apiKey.current')}</dt>
          <dd className="mono" data-testid="masked-api-key">
            {info.api_key}
          </dd>
          <dt>{t('settings.apiKey.created')}</dt>
          <dd>{date(info.created_at)}</dd>
          <dt>{t('settings.apiKey.lastUsed')}</dt>
          <dd>{info.last_used_at ? date(info.last_used_at) : t('settings.apiKey.neverUsed')}</dd>
        </dl>
      ) : (
        <p>{t('settings.apiKey.none')}</p>
      )}
      <div className="actions">
        {!fresh && !key.isPending && (
          <button
            type="button"
            className="primary"
            disabled={create.isPending}
            onClick={() => create.mutate()}
          >
            {info ? t('settings.apiKey.replace') : t('settings.apiKey.create')}
          </button>
        )}
        {(info || fresh) && (
          <ConfirmButton
            label={t('settings.apiKey.revoke')}
            question={t('settings.apiKey.revokeQuestion')}
            confirmLabel={t('settings.apiKey.revokeConfirm')}
            disabled={revoke.isPending}
            onConfirm={() => revoke.mutate()}
          />
        )}
      </div>
      <Outcome
        done={revoke.isSuccess && !info && !fresh ? t('settings.apiKey.revoked') : ''}
        failure={failure}
      />
    </Section>
  );
}
