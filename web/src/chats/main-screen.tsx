import { useId, useState } from 'react';
import { CompletionsProvider, useTitleUpdates } from '../conversation';
import { useT } from '../i18n';
import { ChatPanel } from './chat-panel';
import { ChatSidebar } from './chat-sidebar';
import { useSelectedChatId } from './use-selected-chat';

/** Sidebar plus the selected chat. On narrow screens the sidebar is a drawer behind a toggle. */
export function MainScreen() {
  return (
    <CompletionsProvider>
      <Layout />
    </CompletionsProvider>
  );
}

function Layout() {
  const t = useT();
  useTitleUpdates();
  const [selectedChatId, select] = useSelectedChatId();
  const [sidebarOpen, setSidebarOpen] = useState(selectedChatId === null);
  // A chat opened by its address (a link, back/forward) is shown, not left under the open chat list
  // (on a phone the list covers the chat). React's pattern for state that follows a changing value.
  const [shownChatId, setShownChatId] = useState(selectedChatId);
  if (selectedChatId !== shownChatId) {
    setShownChatId(selectedChatId);
    if (selectedChatId !== null) setSidebarOpen(false);
  }
  const sidebarId = useId();
  const mainId = useId();
  // Counts "New chat" presses: each one is a fresh draft (a ready composer, no chat on the server yet).
  const [draft, setDraft] = useState(0);

  function onSelect(id: string) {
    select(id);
    setSidebarOpen(false);
  }

  function onNewChat() {
    select(null);
    setDraft((n) => n + 1);
    setSidebarOpen(false);
  }

  return (
    <div className={sidebarOpen ? 'layout sidebar-open' : 'layout'}>
      <a
        className="skip-link"
        href={`#${mainId}`}
        onClick={(event) => {
          // The hash is our router; move focus without touching it.
          event.preventDefault();
          document.getElementById(mainId)?.focus();
        }}
      >
        {t('app.skipToContent')}
      </a>
      <header className="topbar">
        <button
          type="button"
          className="sidebar-toggle"
          aria-controls={sidebarId}
          aria-expanded={sidebarOpen}
          onClick={() => setSidebarOpen((open) => !open)}
        >
          {sidebarOpen ? t('chats.hideList') : t('chats.showList')}
        </button>
        <span className="brand">Parley</span>
      </header>
      <ChatSidebar
        id={sidebarId}
        selectedChatId={selectedChatId}
        onSelect={onSelect}
        onNewChat={onNewChat}
        onChatGone={(gone) => {
          if (gone === null || gone === selectedChatId) select(null);
        }}
      />
      <main id={mainId} className="main-panel" tabIndex={-1}>
        <ChatPanel chatId={selectedChatId} draft={draft} onCreated={select} />
      </main>
    </div>
  );
}
