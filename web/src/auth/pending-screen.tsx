import { useId, useState } from 'react';
import { LanguageSelect, useT } from '../i18n';
import { useSession, useSessionUser } from './session-context';

/** Shown while an administrator has not yet approved the account (role `pending`). */
export function PendingScreen() {
  const t = useT();
  const user = useSessionUser();
  const { refresh, signOut } = useSession();
  const [checking, setChecking] = useState(false);
  const [stillPending, setStillPending] = useState(false);
  const titleId = useId();

  async function checkAgain() {
    setChecking(true);
    setStillPending(false);
    const fresh = await refresh({ afterApproval: true });
    // If the role changed, this screen is replaced; otherwise say so.
    setChecking(false);
    if (fresh?.role === 'pending') setStillPending(true);
  }

  return (
    <main className="auth-screen">
      <section className="card pending" aria-labelledby={titleId}>
        <h1 id={titleId}>{t('pending.title')}</h1>
        <p>{t('pending.body')}</p>
        <p className="muted">{t('pending.signedInAs', { email: user.email })}</p>
        <p role="status" className="muted">
          {stillPending ? t('pending.stillPending') : ''}
        </p>
        <div className="actions">
          <button type="button" className="primary" onClick={() => void checkAgain()} disabled={checking}>
            {t('pending.checkAgain')}
          </button>
          <button type="button" onClick={() => void signOut()}>
            {t('session.signOut')}
          </button>
        </div>
      </section>
      <LanguageSelect />
    </main>
  );
}
