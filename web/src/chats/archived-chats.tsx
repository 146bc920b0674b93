import { useEffect, useId, useRef, useState } from 'react';
import { errorMessage } from '../app/error-message';
import { useT } from '../i18n';
import { useArchivedChats } from './use-chat-actions';

interface ArchivedChatsProps {
  id: string;
  onUnarchive: (chatId: string) => Promise<unknown>;
  onUnarchiveAll: () => Promise<unknown>;
  onClose: () => void;
}

/** The archived chats, each with a way back to the list, and "unarchive all" after a question. */
export function ArchivedChats({ id, onUnarchive, onUnarchiveAll, onClose }: ArchivedChatsProps) {
  const t = useT();
  const headingId = useId();
  const archived = useArchivedChats(true);
  const [confirming, setConfirming] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  let body;
  if (archived.isPending) {
    body = (
      <p className="muted" role="status">
        {t('chats.loading')}
      </p>
    );
  } else if (archived.isError) {
    body = (
      <div className="error" role="alert">
        <p>{errorMessage(archived.error, t)}</p>
        <button type="button" onClick={() => void archived.refetch()}>
          {t('errors.retry')}
        </button>
      </div>
    );
  } else if (archived.chats.length === 0) {
    body = <p className="muted">{t('archive.empty')}</p>;
  } else {
    body = (
      <>
        <ul className="archived-list" aria-labelledby={headingId}>
          {archived.chats.map((chat) => {
            const title = chat.title.trim() || t('chats.untitled');
            return (
              <li key={chat.id} className="archived-row">
                <span className="archived-title">{title}</span>
                <button
                  type="button"
                  aria-label={t('archive.unarchiveNamed', { title })}
                  onClick={() => void onUnarchive(chat.id).catch(() => undefined)}
                >
                  {t('archive.unarchive')}
                </button>
              </li>
            );
          })}
        </ul>
        {archived.hasNextPage && (
          <button
            type="button"
            className="load-more"
            disabled={archived.isFetchingNextPage}
            onClick={() => void archived.fetchNextPage()}
          >
            {t('archive.loadMore')}
          </button>
        )}
        {confirming ? (
          <div className="row-confirm" role="group" aria-label={t('archive.confirmAll')}>
            <p>{t('archive.confirmAll')}</p>
            <button
              type="button"
              className="primary"
              autoFocus
              onClick={() => {
                setConfirming(false);
                heading.current?.focus();
                void onUnarchiveAll().catch(() => undefined);
              }}
            >
              {t('archive.unarchiveAll')}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              {t('sidebar.cancel')}
            </button>
          </div>
        ) : (
          <button type="button" onClick={() => setConfirming(true)}>
            {t('archive.unarchiveAll')}
          </button>
        )}
      </>
    );
  }

  return (
    <section
      id={id}
      className="archived-chats"
      aria-labelledby={headingId}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}
    >
      <div className="folders-head">
        <h2 id={headingId} ref={heading} tabIndex={-1} className="sidebar-heading">
          {t('archive.show')}
        </h2>
        <button type="button" className="link" onClick={onClose}>
          {t('archive.close')}
        </button>
      </div>
      {body}
    </section>
  );
}
