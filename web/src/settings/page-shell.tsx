import { useEffect, useId, useRef, type ReactNode } from 'react';
import { errorMessage } from '../app/error-message';
import { useT } from '../i18n';
import { CHATS_HREF } from './app-route';
import { UserMenu } from './user-menu';

/** The frame of the settings and admin pages: a way back to the chats, the title, the account menu. */
export function PageShell({ title, children }: { title: string; children: ReactNode }) {
  const t = useT();
  const titleId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);

  // A new page: move focus to its title so screen readers announce it.
  useEffect(() => {
    headingRef.current?.focus();
  }, [title]);

  return (
    <div className="page">
      <header className="page-header">
        <a className="back-link" href={CHATS_HREF}>
          <span aria-hidden="true">←</span> <span className="back-text">{t('settings.backToChats')}</span>
        </a>
        <h1 id={titleId} ref={headingRef} tabIndex={-1}>
          {title}
        </h1>
        <UserMenu />
      </header>
      <main className="page-body" aria-labelledby={titleId}>
        {children}
      </main>
    </div>
  );
}

/** One titled block of a settings or admin page. */
export function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/**
 * The end of a section: a polite status line (always there, so screen readers hear it change) and,
 * after a failure, the error said for its code.
 */
export function Outcome({ done, failure }: { done: string; failure: unknown }) {
  const t = useT();
  return (
    <>
      <p role="status" className="muted">
        {done}
      </p>
      {failure ? (
        <p className="error" role="alert">
          {errorMessage(failure, t)}
        </p>
      ) : null}
    </>
  );
}
