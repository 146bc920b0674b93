import { useId, useState, type FormEvent } from 'react';
import { useApi } from '../api';
import { errorMessage } from '../app/error-message';
import { LanguageSelect, useT } from '../i18n';
import { authApi } from './auth-api';
import { useSession } from './session-context';

type Mode = 'sign-in' | 'sign-up';

/** Sign-in and sign-up in one form, toggled; the server's `detail` is shown on failure. */
export function AuthForm() {
  const t = useT();
  const api = useApi();
  const { state, completeSignIn } = useSession();
  const [mode, setMode] = useState<Mode>('sign-in');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const ids = { title: useId(), name: useId(), email: useId(), password: useId(), error: useId() };

  const expired = state.status === 'signed-out' && state.expired === true;
  const afterApproval = state.status === 'signed-out' && state.afterApproval === true;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    setSubmitting(true);
    setError(null);
    try {
      const response =
        mode === 'sign-up'
          ? await authApi.signUp(api, { name: name.trim(), email: email.trim(), password })
          : await authApi.signIn(api, { email: email.trim(), password });
      completeSignIn(response);
    } catch (caught) {
      setError(errorMessage(caught, t));
      setSubmitting(false);
    }
  }

  function toggleMode() {
    setMode((current) => (current === 'sign-in' ? 'sign-up' : 'sign-in'));
    setError(null);
  }

  const signingUp = mode === 'sign-up';
  return (
    <main className="auth-screen">
      <form
        className="card auth-form"
        aria-labelledby={ids.title}
        aria-describedby={error ? ids.error : undefined}
        onSubmit={(event) => void submit(event)}
      >
        <h1 id={ids.title}>{signingUp ? t('auth.signUp.title') : t('auth.signIn.title')}</h1>
        {expired && !error && <p className="notice">{t('auth.sessionExpired')}</p>}
        {afterApproval && !error && <p className="notice">{t('pending.signInAgain')}</p>}
        {signingUp && (
          <div className="field">
            <label htmlFor={ids.name}>{t('auth.name')}</label>
            <input
              id={ids.name}
              name="name"
              autoComplete="name"
              required
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
          </div>
        )}
        <div className="field">
          <label htmlFor={ids.email}>{t('auth.email')}</label>
          <input
            id={ids.email}
            name="email"
            type="email"
            autoComplete={signingUp ? 'email' : 'username'}
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.password}>{t('auth.password')}</label>
          <input
            id={ids.password}
            name="password"
            type="password"
            autoComplete={signingUp ? 'new-password' : 'current-password'}
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        {error && (
          <p id={ids.error} className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={submitting} aria-busy={submitting}>
          {submitting ? t('auth.submitting') : signingUp ? t('auth.signUp.submit') : t('auth.signIn.submit')}
        </button>
        <p className="auth-toggle">
          {signingUp ? t('auth.toSignIn.prompt') : t('auth.toSignUp.prompt')}{' '}
          <button type="button" className="link" onClick={toggleMode}>
            {signingUp ? t('auth.toSignIn.action') : t('auth.toSignUp.action')}
          </button>
        </p>
      </form>
      <LanguageSelect />
    </main>
  );
}
