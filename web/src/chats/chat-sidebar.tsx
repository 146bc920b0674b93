import { useId } from 'react';
import { errorMessage } from '../app/error-message';
import { useSession, useSessionUser } from '../auth';
import { LanguageSelect, useT } from '../i18n';
import { chatHref } from './use-selected-chat';
import { useChatList, useChatRealtimeSync, useCreateChat } from './use-chats';

interface ChatSidebarProps {
  id?: string;
  selectedChatId: string | null;
  onSelect: (id: string) => void;
}

/** The chat history, newest first, with "New chat"; kept current over the socket. */
export function ChatSidebar({ id, selectedChatId, onSelect }: ChatSidebarProps) {
  const t = useT();
  const user = useSessionUser();
  const { signOut } = useSession();
  const headingId = useId();
  const list = useChatList();
  const create = useCreateChat();
  useChatRealtimeSync();

  function createChat() {
    create.mutate(undefined, { onSuccess: (chat) => onSelect(chat.id) });
  }

  return (
    <nav id={id} className="sidebar" aria-label={t('chats.navLabel')}>
      <button
        type="button"
        className="primary new-chat"
        onClick={createChat}
        disabled={create.isPending}
        aria-busy={create.isPending}
      >
        {create.isPending ? t('chats.creating') : t('chats.new')}
      </button>
      {create.isError && (
        <p className="error" role="alert">
          {errorMessage(create.error, t)}
        </p>
      )}

      <h2 id={headingId} className="sidebar-heading">
        {t('chats.history')}
      </h2>
      {list.isPending ? (
        <p className="muted" role="status">
          {t('chats.loading')}
        </p>
      ) : list.isError ? (
        <div className="error" role="alert">
          <p>{errorMessage(list.error, t)}</p>
          <button type="button" onClick={() => void list.refetch()}>
            {t('errors.retry')}
          </button>
        </div>
      ) : list.chats.length === 0 ? (
        <p className="muted">{t('chats.empty')}</p>
      ) : (
        <ul className="chat-list" aria-labelledby={headingId}>
          {list.chats.map((chat) => (
            <li key={chat.id}>
              <a
                href={chatHref(chat.id)}
                aria-current={chat.id === selectedChatId ? 'page' : undefined}
                onClick={() => onSelect(chat.id)}
              >
                {chat.title.trim() || t('chats.untitled')}
              </a>
            </li>
          ))}
        </ul>
      )}
      {list.hasNextPage && (
        <button
          type="button"
          className="load-more"
          onClick={() => void list.fetchNextPage()}
          disabled={list.isFetchingNextPage}
        >
          {t('chats.loadMore')}
        </button>
      )}

      <footer className="sidebar-footer">
        <p className="muted">{t('session.signedInAs', { name: user.name })}</p>
        <LanguageSelect />
        <button type="button" onClick={() => void signOut()}>
          {t('session.signOut')}
        </button>
      </footer>
    </nav>
  );
}
