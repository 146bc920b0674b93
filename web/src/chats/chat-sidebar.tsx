import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useApi, type ChatListItem } from '../api';
import { errorMessage } from '../app/error-message';
import { useSession, useSessionUser } from '../auth';
import { LanguageSelect, useT } from '../i18n';
import { ArchivedChats } from './archived-chats';
import { ChatRow, type ChatRowActions } from './chat-row';
import { FolderList } from './folder-list';
import {
  useChatActions,
  useChatChangesSync,
  useChatSearch,
  useFolders,
  usePinnedChats,
} from './use-chat-actions';
import { chatsApi, type Folder } from './chats-api';
import { useChatList, useChatRealtimeSync } from './use-chats';

interface ChatSidebarProps {
  id?: string;
  selectedChatId: string | null;
  onSelect: (id: string) => void;
  /** "New chat": a ready composer; the chat itself is created by its first message. */
  onNewChat: () => void;
  /** A chat was deleted (here or in another tab); null: all of them. */
  onChatGone?: (id: string | null) => void;
}

const SEARCH_DELAY_MS = 250;

/** Calls `onVisible` when the returned element scrolls into view (endless scroll). */
function useSentinel(onVisible: () => void, enabled: boolean) {
  const ref = useRef<HTMLLIElement>(null);
  const callback = useRef(onVisible);
  callback.current = onVisible;
  useEffect(() => {
    const element = ref.current;
    if (!enabled || !element || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) callback.current();
      },
      { root: element.closest('nav'), rootMargin: '200px' },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [enabled]);
  return ref;
}

function useDebounced(value: string, delay: number): string {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setDebounced(value), delay);
    return () => window.clearTimeout(timer);
  }, [value, delay]);
  return debounced;
}

/**
 * The chat history: search, pinned chats, then every chat newest first, loading more pages as the
 * list scrolls; each chat has a menu (pin, rename, archive, share, export, delete). Kept current
 * over the socket.
 */
export function ChatSidebar({ id, selectedChatId, onSelect, onNewChat, onChatGone }: ChatSidebarProps) {
  const t = useT();
  const user = useSessionUser();
  const { signOut } = useSession();
  const headingId = useId();
  const pinnedHeadingId = useId();
  const searchId = useId();
  const searchHintId = useId();
  const [searchText, setSearchText] = useState('');
  const search = useDebounced(searchText.trim(), SEARCH_DELAY_MS);
  const list = useChatList();
  const pinned = usePinnedChats();
  const folders = useFolders();
  const results = useChatSearch(search);
  const actions = useChatActions();
  const [notice, setNotice] = useState<string | null>(null);
  const [showArchived, setShowArchived] = useState(false);
  const archivedId = useId();
  const archivedToggle = useRef<HTMLButtonElement>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  useChatRealtimeSync();
  useChatChangesSync((gone) => onChatGone?.(gone));

  const searching = search !== '';
  const shown = searching ? results : list;
  const sentinel = useSentinel(() => {
    if (shown.hasNextPage && !shown.isFetchingNextPage) void shown.fetchNextPage();
  }, shown.hasNextPage === true);
  const pinnedIds = new Set((pinned.data ?? []).map((c) => c.id));
  // Open folders live here, not in each folder, so a chat moved into a closed one opens it. The server
  // keeps each folder's state (Open WebUI's `is_expanded`); what this tab changed wins until reload.
  const api = useApi();
  const [toggled, setToggled] = useState<ReadonlyMap<string, boolean>>(() => new Map());
  const expanded = new Set(
    (folders.data ?? []).filter((f) => toggled.get(f.id) ?? f.is_expanded === true).map((f) => f.id),
  );
  const openFolders = (ids: string[], open: boolean) => {
    setToggled((previous) => new Map([...previous, ...ids.map((id) => [id, open] as const)]));
    for (const id of ids)
      if (expanded.has(id) !== open) void chatsApi.setFolderExpanded(api, id, open).catch(() => undefined);
  };
  const setFolderOpen = (folderId: string, open: boolean) => openFolders([folderId], open);

  function moveChat(chat: Pick<ChatListItem, 'id'>, folderId: string | null) {
    const wasPinned = pinnedIds.has(chat.id);
    quiet(
      report(actions.move.mutateAsync({ id: chat.id, folderId })).then(() => {
        const all = folders.data ?? [];
        const target = all.find((f) => f.id === folderId);
        if (!target) return setNotice(t('sidebar.movedOut'));
        // The chat is shown where it went: its folder and the folders around that one open.
        openFolders(folderPath(all, target.id), true);
        setNotice(t(wasPinned ? 'sidebar.movedToUnpinned' : 'sidebar.movedTo', { folder: target.name }));
      }),
    );
  }

  function report<T>(promise: Promise<T>): Promise<T> {
    setActionError(null);
    setNotice(null);
    return promise.catch((error: unknown) => {
      setActionError(error);
      throw error;
    });
  }
  const quiet = (promise: Promise<unknown>) => void promise.catch(() => undefined);
  const rowActions: ChatRowActions = {
    onPin: (chat) => quiet(report(actions.pin.mutateAsync(chat.id))),
    onArchive: (chat) =>
      quiet(
        report(actions.archive.mutateAsync(chat.id)).then(() => {
          if (chat.id === selectedChatId) onChatGone?.(chat.id);
        }),
      ),
    onRename: (chat, title) => report(actions.rename.mutateAsync({ id: chat.id, title })),
    onDelete: (chat) => quiet(report(actions.remove.mutateAsync(chat.id)).then(() => onChatGone?.(chat.id))),
    onShare: (chat) =>
      quiet(
        report(actions.share.mutateAsync(chat.id)).then((url) =>
          setNotice(t('sidebar.shareCopied', { url })),
        ),
      ),
    onExport: (chat) => quiet(report(actions.exportChat.mutateAsync(chat.id))),
    onMove: moveChat,
    onUnshare: (chat) =>
      quiet(report(actions.unshare.mutateAsync(chat.id)).then(() => setNotice(t('share.unshared')))),
    onAddTag: (chat, name) => report(actions.addTag.mutateAsync({ id: chat.id, name })),
    onRemoveTag: (chat, name) => quiet(report(actions.removeTag.mutateAsync({ id: chat.id, name }))),
    onTagSearch: (name) => setSearchText(`tag:${name}`),
  };

  const rows = (chats: ChatListItem[]) =>
    chats.map((chat) => (
      <ChatRow
        key={chat.id}
        chat={chat}
        pinned={pinnedIds.has(chat.id)}
        selected={chat.id === selectedChatId}
        folders={folders.data ?? []}
        onSelect={onSelect}
        {...rowActions}
      />
    ));

  let body: ReactNode;
  if (shown.isPending && (searching || !list.data)) {
    body = (
      <p className="muted" role="status">
        {t('chats.loading')}
      </p>
    );
  } else if (shown.isError) {
    body = (
      <div className="error" role="alert">
        <p>{errorMessage(shown.error, t)}</p>
        <button type="button" onClick={() => void shown.refetch()}>
          {t('errors.retry')}
        </button>
      </div>
    );
  } else if (shown.chats.length === 0) {
    const elsewhere = (pinned.data?.length ?? 0) > 0 || (folders.data?.length ?? 0) > 0;
    body = (
      <p className="muted">
        {searching ? t('sidebar.noResults') : elsewhere ? t('sidebar.noOther') : t('chats.empty')}
      </p>
    );
  } else {
    body = (
      <ul className="chat-list" aria-labelledby={headingId}>
        {rows(shown.chats)}
        {shown.hasNextPage && <li ref={sentinel} className="list-sentinel" aria-hidden="true" />}
      </ul>
    );
  }

  return (
    <nav id={id} className="sidebar" aria-label={t('chats.navLabel')}>
      <button type="button" className="primary new-chat" onClick={onNewChat}>
        {t('chats.new')}
      </button>

      <div className="chat-search">
        <label htmlFor={searchId} className="visually-hidden">
          {t('sidebar.search')}
        </label>
        <input
          id={searchId}
          type="search"
          placeholder={t('sidebar.search')}
          aria-describedby={searchHintId}
          value={searchText}
          onChange={(event) => setSearchText(event.target.value)}
        />
        <p id={searchHintId} className="muted search-hint">
          {t('sidebar.searchHint')}
        </p>
      </div>

      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {actionError !== null && (
        <p className="error" role="alert">
          {errorMessage(actionError, t)}
        </p>
      )}

      {!searching && (pinned.data?.length ?? 0) > 0 && (
        <>
          <h2 id={pinnedHeadingId} className="sidebar-heading">
            {t('sidebar.pinned')}
          </h2>
          <ul className="chat-list" aria-labelledby={pinnedHeadingId}>
            {rows(pinned.data ?? [])}
          </ul>
        </>
      )}

      {!searching && folders.isSuccess && (
        <FolderList
          folders={folders.data}
          rows={rows}
          expanded={expanded}
          onToggle={setFolderOpen}
          onDropChat={(chatId, folderId) => moveChat({ id: chatId }, folderId)}
          onCreate={(name, parentId) =>
            report(actions.createFolder.mutateAsync(parentId ? { name, parentId } : { name }))
          }
          onRename={(folderId, name) => report(actions.renameFolder.mutateAsync({ id: folderId, name }))}
          onDelete={(folderId, withChats) =>
            quiet(report(actions.deleteFolder.mutateAsync({ id: folderId, withChats })))
          }
        />
      )}

      <h2 id={headingId} className="sidebar-heading">
        {searching ? t('sidebar.searchResults') : t('chats.history')}
      </h2>
      {body}
      {shown.hasNextPage && (
        <button
          type="button"
          className="load-more"
          onClick={() => void shown.fetchNextPage()}
          disabled={shown.isFetchingNextPage}
        >
          {shown.isFetchingNextPage ? t('sidebar.loadingMore') : t('chats.loadMore')}
        </button>
      )}

      {showArchived && (
        <ArchivedChats
          id={archivedId}
          onUnarchive={(chatId) => report(actions.archive.mutateAsync(chatId))}
          onUnarchiveAll={() => report(actions.unarchiveAll.mutateAsync())}
          onClose={() => {
            setShowArchived(false);
            archivedToggle.current?.focus();
          }}
        />
      )}

      <footer className="sidebar-footer">
        <button
          ref={archivedToggle}
          type="button"
          aria-expanded={showArchived}
          aria-controls={showArchived ? archivedId : undefined}
          onClick={() => setShowArchived((open) => !open)}
        >
          {t('archive.show')}
        </button>
        <p className="muted">{t('session.signedInAs', { name: user.name })}</p>
        <LanguageSelect />
        <button type="button" onClick={() => void signOut()}>
          {t('session.signOut')}
        </button>
      </footer>
    </nav>
  );
}

/** A folder and the folders above it, the outermost last. */
function folderPath(folders: Folder[], folderId: string): string[] {
  const byId = new Map(folders.map((f) => [f.id, f]));
  const path: string[] = [];
  for (
    let f = byId.get(folderId);
    f && !path.includes(f.id);
    f = f.parent_id ? byId.get(f.parent_id) : undefined
  )
    path.push(f.id);
  return path;
}
