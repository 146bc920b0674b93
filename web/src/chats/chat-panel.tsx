import { useEffect } from 'react';
import { ChatView } from '../conversation';
import { useT } from '../i18n';
import { useChatList } from './use-chats';

/** The selected chat, or a hint to pick one. */
export function ChatPanel({ chatId }: { chatId: string | null }) {
  const t = useT();
  const { chats } = useChatList();
  const listed = chatId === null ? undefined : chats.find((item) => item.id === chatId);

  useEffect(() => {
    if (chatId === null) document.title = 'Parley';
  }, [chatId]);

  if (chatId === null) {
    return <p className="empty-state">{t('chat.noneSelected')}</p>;
  }
  return <ChatView key={chatId} chatId={chatId} fallbackTitle={listed?.title} />;
}
