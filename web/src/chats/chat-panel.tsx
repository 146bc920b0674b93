import { useEffect, useId } from 'react';
import { useT } from '../i18n';
import { useChatList } from './use-chats';

/** The selected chat; messages arrive in a later slice. */
export function ChatPanel({ chatId }: { chatId: string | null }) {
  const t = useT();
  const { chats, isPending } = useChatList();
  const titleId = useId();
  const chat = chatId === null ? undefined : chats.find((item) => item.id === chatId);
  const title = chat ? chat.title.trim() || t('chats.untitled') : null;

  useEffect(() => {
    document.title = title ? `${title} · Parley` : 'Parley';
  }, [title]);

  if (chatId === null) {
    return <p className="empty-state">{t('chat.noneSelected')}</p>;
  }
  if (!chat) {
    return isPending ? (
      <p className="empty-state" role="status">
        {t('app.loading')}
      </p>
    ) : (
      <p className="empty-state">{t('chat.notFound')}</p>
    );
  }
  return (
    <article className="chat-panel" aria-labelledby={titleId}>
      <h1 id={titleId} className="chat-title">
        {title}
      </h1>
      <p className="muted">{t('chat.messagesPlaceholder')}</p>
    </article>
  );
}
