import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { ApiError, useApi } from '../api';
import { errorMessage } from '../app/error-message';
import { authApi, useSession, useSessionUser } from '../auth';
import { useT, type Translate } from '../i18n';
import { Section } from './page-shell';
import { settingsApi } from './settings-api';

/** The server's answers, in the user's language: 403 is a wrong current password, 400 a policy miss. */
function passwordError(error: unknown, t: Translate): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return t('settings.password.wrongCurrent');
    const min = /at least (\d+)/.exec(error.detail ?? '')?.[1];
    if (error.status === 400 && min) return t('settings.password.tooShort', { min });
  }
  return errorMessage(error, t);
}

export function PasswordSection() {
  const t = useT();
  const api = useApi();
  const user = useSessionUser();
  const { completeSignIn } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const ids = { current: useId(), next: useId(), repeat: useId(), error: useId() };

  const change = useMutation({
    mutationFn: async () => {
      await settingsApi.updatePassword(api, { password: current, new_password: next });
      // Every earlier token was revoked, this tab's too: the fresh cookie carries the next call, and
      // signing in again gives this tab a fresh bearer token for itself and its socket.
      api.tokens.set(null);
      const session = await authApi.signIn(api, { email: user.email, password: next }).catch(() => null);
      if (session) completeSignIn(session);
    },
    onSuccess: () => {
      setCurrent('');
      setNext('');
      setRepeat('');
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    change.reset();
    if (next !== repeat) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    change.mutate();
  }

  const error = mismatch
    ? t('settings.password.mismatch')
    : change.isError
      ? passwordError(change.error, t)
      : null;

  return (
    <Section title={t('settings.password.title')}>
      <form onSubmit={submit} className="settings-form" aria-describedby={error ? ids.error : undefined}>
        <div className="field">
          <label htmlFor={ids.current}>{t('settings.password.current')}</label>
          <input
            id={ids.current}
            type="password"
            required
            autoComplete="current-password"
            value={current}
            onChange={(event) => setCurrent(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.next}>{t('settings.password.new')}</label>
          <input
            id={ids.next}
            type="password"
            required
            autoComplete="new-password"
            value={next}
            onChange={(event) => setNext(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.repeat}>{t('settings.password.repeat')}</label>
          <input
            id={ids.repeat}
            type="password"
            required
            autoComplete="new-password"
            value={repeat}
            onChange={(event) => setRepeat(event.target.value)}
          />
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={change.isPending}>
            {change.isPending ? t('settings.saving') : t('settings.password.submit')}
          </button>
        </div>
        <p role="status" className="muted">
          {change.isSuccess ? t('settings.password.changed') : ''}
        </p>
        {error && (
          <p id={ids.error} className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </Section>
  );
}
