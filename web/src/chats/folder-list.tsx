import { useEffect, useId, useRef, useState, type DragEvent, type ReactNode } from 'react';
import type { ChatListItem } from '../api';
import { useT } from '../i18n';
import { NameForm } from './name-form';
import { CHAT_DRAG_TYPE } from './chat-row';
import type { Folder } from './chats-api';
import { useFolderChats } from './use-chat-actions';

interface FolderListProps {
  folders: Folder[];
  /** The folders shown open (kept by the sidebar, which opens the folder a chat was moved into). */
  expanded: ReadonlySet<string>;
  onToggle: (folderId: string, open: boolean) => void;
  /** Renders the rows of a folder's chats. */
  rows: (chats: ChatListItem[]) => ReactNode;
  onDropChat: (chatId: string, folderId: string | null) => void;
  /** Creates a folder, inside `parentId` when given. */
  onCreate: (name: string, parentId?: string) => Promise<unknown>;
  onRename: (folderId: string, name: string) => Promise<unknown>;
  /** Deletes the folder; its chats too when `withChats`, otherwise they go back to the list. */
  onDelete: (folderId: string, withChats: boolean) => void;
}

function acceptsChat(event: DragEvent): boolean {
  return event.dataTransfer.types.includes(CHAT_DRAG_TYPE);
}

/**
 * Folders of chats, nested by `parent_id`: open one to see its subfolders and chats; drop a chat on
 * one to move it there.
 */
export function FolderList({
  folders,
  expanded,
  onToggle,
  rows,
  onDropChat,
  onCreate,
  onRename,
  onDelete,
}: FolderListProps) {
  const t = useT();
  const headingId = useId();
  const [naming, setNaming] = useState(false);

  return (
    <section className="folders" aria-labelledby={headingId}>
      <div className="folders-head">
        <h2 id={headingId} className="sidebar-heading">
          {t('sidebar.folders')}
        </h2>
        <button type="button" className="link" onClick={() => setNaming(true)}>
          {t('sidebar.newFolder')}
        </button>
      </div>
      {naming && (
        <NameForm
          label={t('sidebar.folderName')}
          placeholder={t('sidebar.folderName')}
          onSave={(name) => onCreate(name)}
          onSaved={() => setNaming(false)}
          onCancel={() => setNaming(false)}
        />
      )}
      {folders.length > 0 && (
        <ul className="folder-list">
          {topLevel(folders).map((folder) => (
            <FolderItem
              key={folder.id}
              folder={folder}
              all={folders}
              expanded={expanded}
              onToggle={onToggle}
              onCreate={onCreate}
              rows={rows}
              onDropChat={onDropChat}
              onRename={onRename}
              onDelete={onDelete}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

/** Folders without a (known) parent. */
function topLevel(folders: Folder[]): Folder[] {
  const ids = new Set(folders.map((f) => f.id));
  return folders.filter((f) => !f.parent_id || !ids.has(f.parent_id));
}

function FolderItem({
  folder,
  all,
  expanded,
  onToggle,
  onCreate,
  rows,
  onDropChat,
  onRename,
  onDelete,
}: {
  folder: Folder;
  all: Folder[];
  expanded: FolderListProps['expanded'];
  onToggle: FolderListProps['onToggle'];
  onCreate: FolderListProps['onCreate'];
  rows: FolderListProps['rows'];
  onDropChat: FolderListProps['onDropChat'];
  onRename: FolderListProps['onRename'];
  onDelete: FolderListProps['onDelete'];
}) {
  const t = useT();
  const open = expanded.has(folder.id);
  const setOpen = (next: boolean) => onToggle(folder.id, next);
  const [menuOpen, setMenuOpen] = useState(false);
  const [mode, setMode] = useState<'view' | 'rename' | 'confirm-delete' | 'subfolder'>('view');
  const children = all.filter((f) => f.parent_id === folder.id);
  const menuId = useId();
  const menuButton = useRef<HTMLButtonElement>(null);
  const firstItem = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (menuOpen) firstItem.current?.focus();
  }, [menuOpen]);
  const closeTo = (next: typeof mode) => {
    setMenuOpen(false);
    setMode(next);
    if (next === 'view') menuButton.current?.focus();
  };
  const [over, setOver] = useState(false);
  const chats = useFolderChats(folder.id, open);
  const listId = useId();

  return (
    <li
      className={over ? 'folder drop-target' : 'folder'}
      data-folder-id={folder.id}
      onDragOver={(event) => {
        if (!acceptsChat(event)) return;
        // The innermost folder under the pointer takes the chat, not its parents.
        event.stopPropagation();
        event.preventDefault();
        event.dataTransfer.dropEffect = 'move';
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        setOver(false);
        const chatId = event.dataTransfer.getData(CHAT_DRAG_TYPE);
        if (!chatId) return;
        event.stopPropagation();
        event.preventDefault();
        // The sidebar opens the folder once the move is saved.
        onDropChat(chatId, folder.id);
      }}
    >
      {mode === 'rename' ? (
        <NameForm
          label={t('folder.renameLabel')}
          initial={folder.name}
          onSave={(name) => onRename(folder.id, name)}
          onSaved={() => closeTo('view')}
          onCancel={() => closeTo('view')}
        />
      ) : (
        <div className="chat-row-main">
          <button
            type="button"
            className="folder-toggle"
            aria-expanded={open}
            aria-controls={open ? listId : undefined}
            onClick={() => setOpen(!open)}
          >
            <span aria-hidden="true">{open ? '▾' : '▸'}</span> {folder.name}
          </button>
          <button
            ref={menuButton}
            type="button"
            className="row-menu-button"
            aria-label={t('folder.actionsFor', { name: folder.name })}
            aria-expanded={menuOpen}
            aria-controls={menuOpen ? menuId : undefined}
            onClick={() => setMenuOpen((o) => !o)}
          >
            ⋯
          </button>
        </div>
      )}
      {menuOpen && (
        <div
          id={menuId}
          className="row-menu"
          onKeyDown={(event) => {
            if (event.key === 'Escape') closeTo('view');
          }}
        >
          <button ref={firstItem} type="button" onClick={() => closeTo('rename')}>
            {t('folder.rename')}
          </button>
          <button type="button" onClick={() => closeTo('subfolder')}>
            {t('folder.newSubfolder')}
          </button>
          <button type="button" className="danger" onClick={() => closeTo('confirm-delete')}>
            {t('folder.delete')}
          </button>
        </div>
      )}
      {mode === 'subfolder' && (
        <NameForm
          label={t('folder.subfolderName')}
          placeholder={t('folder.subfolderName')}
          onSave={(name) => onCreate(name, folder.id)}
          onSaved={() => {
            setOpen(true);
            closeTo('view');
          }}
          onCancel={() => closeTo('view')}
        />
      )}
      {mode === 'confirm-delete' && (
        <div
          className="row-confirm"
          role="group"
          aria-label={t('folder.confirmDelete', { name: folder.name })}
          onKeyDown={(event) => {
            if (event.key === 'Escape') closeTo('view');
          }}
        >
          <p>{t('folder.confirmDelete', { name: folder.name })}</p>
          <button
            type="button"
            autoFocus
            onClick={() => {
              setMode('view');
              onDelete(folder.id, false);
            }}
          >
            {t('folder.keepChats')}
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => {
              setMode('view');
              onDelete(folder.id, true);
            }}
          >
            {t('folder.deleteChats')}
          </button>
          <button type="button" onClick={() => closeTo('view')}>
            {t('sidebar.cancel')}
          </button>
        </div>
      )}
      {open && (
        <div id={listId}>
          {children.length > 0 && (
            <ul className="folder-list subfolders">
              {children.map((child) => (
                <FolderItem
                  key={child.id}
                  folder={child}
                  all={all}
                  expanded={expanded}
                  onToggle={onToggle}
                  onCreate={onCreate}
                  rows={rows}
                  onDropChat={onDropChat}
                  onRename={onRename}
                  onDelete={onDelete}
                />
              ))}
            </ul>
          )}
          {chats.isPending ? (
            <p className="muted" role="status">
              {t('chats.loading')}
            </p>
          ) : (chats.data?.length ?? 0) === 0 ? (
            children.length > 0 ? null : (
              <p className="muted folder-empty">{t('sidebar.folderEmpty')}</p>
            )
          ) : (
            <ul className="chat-list" aria-label={folder.name}>
              {rows(chats.data ?? [])}
            </ul>
          )}
        </div>
      )}
    </li>
  );
}
