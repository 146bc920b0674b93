import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useMemo } from 'react';
import { ApiError, useApi } from '../api';
import { errorMessage } from '../app/error-message';
import { chatKeys } from '../chats/chat-cache';
import { chatsApi } from '../chats/chats-api';
import { chatHref } from '../chats/use-selected-chat';
import { MessageItem } from '../conversation/message-item';
import { branchTo, readHistory } from '../conversation/message-tree';
import type { DisplayMessage } from '../conversation/use-conversation';
import { useT } from '../i18n';
import { preloadMarkdown } from '../markdown';
import { leaveSharedPage } from './share-route';

const noop = () => undefined;
const resolved = () => Promise.resolve();

/**
 * Someone's shared chat, read-only: the branch they were looking at (`history.currentId`), and a
 * button that saves a copy into the visitor's own chats and opens it.
 */
export default function SharedChatPage({ shareId }: { shareId: string }) {
  const t = useT();
  const api = useApi();
  const queryClient = useQueryClient();
  const titleId = useId();
  const query = useQuery({
    queryKey: ['shared-chat', shareId],
    queryFn: ({ signal }) => chatsApi.shared(api, shareId, signal),
  });
  const copy = useMutation({
    mutationFn: () => chatsApi.cloneShared(api, shareId),
    onSuccess: (chat) => {
      void queryClient.invalidateQueries({ queryKey: chatKeys.all });
      leaveSharedPage(chatHref(chat.id));
    },
  });
  useEffect(preloadMarkdown, []);

  const messages = useMemo<DisplayMessage[]>(() => {
    const history = readHistory(query.data?.chat['history']);
    return branchTo(history, history.currentId).map((message) => ({
      ...message,
      streaming: false,
      errorText: message.error?.content || undefined,
      sources: message.sources,
    }));
  }, [query.data]);
  const title = query.data?.title.trim() || t('chats.untitled');
  useEffect(() => {
    document.title = query.data ? `${title} · Parley` : 'Parley';
  }, [title, query.data]);

  let body;
  if (query.isPending) {
    body = (
      <p className="empty-state" role="status">
        {t('app.loading')}
      </p>
    );
  } else if (query.isError) {
    const gone = query.error instanceof ApiError && [400, 403, 404].includes(query.error.status);
    body = gone ? (
      <div className="empty-state" role="alert">
        <h1>{t('share.notFoundTitle')}</h1>
        <p>{t('share.notFound')}</p>
      </div>
    ) : (
      <div className="error" role="alert">
        <p>{errorMessage(query.error, t)}</p>
        <button type="button" onClick={() => void query.refetch()}>
          {t('errors.retry')}
        </button>
      </div>
    );
  } else {
    body = (
      <article className="shared-chat" aria-labelledby={titleId}>
        <header className="shared-header">
          <p className="muted shared-label">{t('share.label')}</p>
          <h1 id={titleId} className="chat-title">
            {title}
          </h1>
          <button
            type="button"
            className="primary"
            onClick={() => copy.mutate()}
            disabled={copy.isPending}
            aria-busy={copy.isPending}
          >
            {copy.isPending ? t('share.saving') : t('share.saveCopy')}
          </button>
          {copy.isError && (
            <p className="error" role="alert">
              {errorMessage(copy.error, t)}
            </p>
          )}
        </header>
        {messages.length === 0 ? (
          <p className="empty-state">{t('share.empty')}</p>
        ) : (
          <ol className="shared-messages" aria-label={t('chat.messages')}>
            {messages.map((message) => (
              <li key={message.id}>
                <MessageItem
                  message={message}
                  siblings={[message.id]}
                  busy={false}
                  readOnly
                  onSwitch={noop}
                  onEdit={resolved}
                  onRegenerate={noop}
                  onRate={noop}
                />
              </li>
            ))}
          </ol>
        )}
      </article>
    );
  }

  return (
    <div className="shared-page">
      <nav className="shared-nav" aria-label={t('share.navLabel')}>
        <a
          href="/"
          onClick={(event) => {
            event.preventDefault();
            leaveSharedPage();
          }}
        >
          {t('share.backToChats')}
        </a>
        <span className="brand">Parley</span>
      </nav>
      <main className="shared-main">{body}</main>
    </div>
  );
}
