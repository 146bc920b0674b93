import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { ChatListItem } from '../api';
import { useT } from '../i18n';
import { NameForm } from './name-form';
import type { Folder } from './chats-api';
import { useChatShareId, useChatTags } from './use-chat-actions';
import { chatHref } from './use-selected-chat';

export interface ChatRowActions {
  onPin: (chat: ChatListItem) => void;
  onRename: (chat: ChatListItem, title: string) => Promise<unknown>;
  onDelete: (chat: ChatListItem) => void;
  onArchive: (chat: ChatListItem) => void;
  onShare: (chat: ChatListItem) => void;
  onExport: (chat: ChatListItem) => void;
  onMove: (chat: ChatListItem, folderId: string | null) => void;
  onUnshare: (chat: ChatListItem) => void;
  onAddTag: (chat: ChatListItem, name: string) => Promise<unknown>;
  onRemoveTag: (chat: ChatListItem, name: string) => void;
  /** A tag on the row was clicked: search for `tag:<name>`. */
  onTagSearch: (name: string) => void;
}

interface ChatRowProps extends ChatRowActions {
  chat: ChatListItem;
  pinned: boolean;
  selected: boolean;
  folders: Folder[];
  onSelect: (id: string) => void;
}

/** MIME type of a chat dragged onto a folder. */
export const CHAT_DRAG_TYPE = 'application/x-parley-chat';

/** One chat in the sidebar: its link and a menu of actions (pin, rename, archive, share, export, delete). */
const NO_FOLDER = '\u0000none';

export function ChatRow({ chat, pinned, selected, folders, onSelect, ...actions }: ChatRowProps) {
  const t = useT();
  const menuId = useId();
  const moveId = useId();
  const [menuOpen, setMenuOpen] = useState(false);
  const [mode, setMode] = useState<'view' | 'rename' | 'confirm-delete' | 'tags'>('view');
  const tags = useChatTags(chat.id, chat.tags).data ?? [];
  const shareId = useChatShareId(chat.id, menuOpen, chat.share_id).data?.share_id ?? null;
  const menuButton = useRef<HTMLButtonElement>(null);
  const firstItem = useRef<HTMLButtonElement>(null);
  const title = chat.title.trim() || t('chats.untitled');

  useEffect(() => {
    if (menuOpen) firstItem.current?.focus();
  }, [menuOpen]);

  function close() {
    setMenuOpen(false);
    menuButton.current?.focus();
  }
  function onMenuKey(event: KeyboardEvent) {
    if (event.key === 'Escape') close();
  }
  function act(run: () => void) {
    setMenuOpen(false);
    run();
  }

  if (mode === 'rename') {
    return (
      <li className="chat-row">
        <NameForm
          label={t('sidebar.renameLabel')}
          initial={chat.title}
          onSave={(name) => actions.onRename(chat, name)}
          onSaved={() => setMode('view')}
          onCancel={() => setMode('view')}
        />
      </li>
    );
  }

  return (
    <li
      className="chat-row"
      draggable
      onDragStart={(event) => {
        event.dataTransfer.setData(CHAT_DRAG_TYPE, chat.id);
        event.dataTransfer.effectAllowed = 'move';
      }}
    >
      <div className="chat-row-main">
        <a
          href={chatHref(chat.id)}
          aria-current={selected ? 'page' : undefined}
          onClick={() => onSelect(chat.id)}
        >
          {title}
        </a>
        <button
          ref={menuButton}
          type="button"
          className="row-menu-button"
          aria-label={t('sidebar.actionsFor', { title })}
          aria-expanded={menuOpen}
          aria-controls={menuOpen ? menuId : undefined}
          onClick={() => setMenuOpen((open) => !open)}
        >
          ⋯
        </button>
      </div>
      {tags.length > 0 && (
        <ul className="chat-tags" aria-label={t('tags.label')}>
          {tags.map((tag) => (
            <li key={tag.name}>
              <button
                type="button"
                className="tag"
                aria-label={t('tags.search', { name: tag.name })}
                onClick={() => actions.onTagSearch(tag.name)}
              >
                {tag.name}
              </button>
            </li>
          ))}
        </ul>
      )}
      {menuOpen && (
        <div id={menuId} className="row-menu" onKeyDown={onMenuKey}>
          <button ref={firstItem} type="button" onClick={() => act(() => actions.onPin(chat))}>
            {pinned ? t('sidebar.unpin') : t('sidebar.pin')}
          </button>
          <button type="button" onClick={() => act(() => setMode('rename'))}>
            {t('sidebar.rename')}
          </button>
          <button type="button" onClick={() => act(() => actions.onArchive(chat))}>
            {t('sidebar.archive')}
          </button>
          <button type="button" onClick={() => act(() => actions.onShare(chat))}>
            {t('sidebar.share')}
          </button>
          {shareId !== null && (
            <button type="button" onClick={() => act(() => actions.onUnshare(chat))}>
              {t('share.unshare')}
            </button>
          )}
          <button type="button" onClick={() => act(() => setMode('tags'))}>
            {t('tags.edit')}
          </button>
          <button type="button" onClick={() => act(() => actions.onExport(chat))}>
            {t('sidebar.export')}
          </button>
          {folders.length > 0 && (
            <div className="row-move">
              <label htmlFor={moveId}>{t('sidebar.moveTo')}</label>
              <select
                id={moveId}
                value=""
                onChange={(event) => {
                  const value = event.target.value;
                  act(() => actions.onMove(chat, value === NO_FOLDER ? null : value));
                }}
              >
                <option value="" disabled>
                  —
                </option>
                <option value={NO_FOLDER}>{t('sidebar.noFolder')}</option>
                {folders.map((folder) => (
                  <option key={folder.id} value={folder.id}>
                    {folder.name}
                  </option>
                ))}
              </select>
            </div>
          )}
          <button type="button" className="danger" onClick={() => act(() => setMode('confirm-delete'))}>
            {t('sidebar.delete')}
          </button>
        </div>
      )}
      {mode === 'tags' && (
        <div
          className="row-tags"
          role="group"
          aria-label={t('tags.editFor', { title })}
          onKeyDown={(event) => {
            if (event.key === 'Escape') setMode('view');
          }}
        >
          {tags.length === 0 ? (
            <p className="muted">{t('tags.none')}</p>
          ) : (
            <ul className="chat-tags">
              {tags.map((tag) => (
                <li key={tag.name}>
                  <span className="tag">
                    {tag.name}
                    <button
                      type="button"
                      className="tag-remove"
                      aria-label={t('tags.remove', { name: tag.name })}
                      onClick={() => actions.onRemoveTag(chat, tag.name)}
                    >
                      ×
                    </button>
                  </span>
                </li>
              ))}
            </ul>
          )}
          <NameForm
            label={t('tags.nameLabel')}
            placeholder={t('tags.nameLabel')}
            submitText={t('tags.add')}
            cancelText={t('tags.done')}
            onSave={(name) => actions.onAddTag(chat, name)}
            onCancel={() => setMode('view')}
          />
        </div>
      )}
      {mode === 'confirm-delete' && (
        <div className="row-confirm" role="group" aria-label={t('sidebar.confirmDelete', { title })}>
          <p>{t('sidebar.confirmDelete', { title })}</p>
          <button
            type="button"
            className="danger"
            autoFocus
            onClick={() => {
              setMode('view');
              actions.onDelete(chat);
            }}
          >
            {t('sidebar.delete')}
          </button>
          <button type="button" onClick={() => setMode('view')}>
            {t('sidebar.cancel')}
          </button>
        </div>
      )}
    </li>
  );
}
