import { useEffect, useState } from 'react';
import { ChatView } from '../conversation';
import { useChatList } from './use-chats';

/**
 * The selected chat, or (none selected) a draft: a ready composer with the default model. The draft's
 * first message creates the chat; the view stays the same one while the address changes to the new
 * chat, so the answer it started streams on without a remount.
 */
export function ChatPanel({
  chatId,
  draft,
  onCreated,
}: {
  chatId: string | null;
  /** Bumped by each "New chat": a new draft, with the focus in its composer. */
  draft: number;
  onCreated: (id: string) => void;
}) {
  const { chats } = useChatList();
  const listed = chatId === null ? undefined : chats.find((item) => item.id === chatId);
  // The chat the current draft became.
  const [adopted, setAdopted] = useState<{ id: string; draft: number } | null>(null);
  const isDraft = chatId === null || (adopted?.id === chatId && adopted.draft === draft);

  useEffect(() => {
    if (chatId === null) document.title = 'Parley';
  }, [chatId]);

  return (
    <ChatView
      key={isDraft ? `draft-${draft}` : chatId}
      chatId={chatId}
      fallbackTitle={listed?.title}
      focusComposer={chatId === null && draft > 0}
      onCreated={(id) => {
        setAdopted({ id, draft });
        onCreated(id);
      }}
    />
  );
}
