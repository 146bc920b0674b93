import { useId, useState, type DragEvent, type ReactNode } from 'react';
import type { ChatListItem } from '../api';
import { useT } from '../i18n';
import { CHAT_DRAG_TYPE } from './chat-row';
import type { Folder } from './chats-api';
import { useFolderChats } from './use-chat-actions';

interface FolderListProps {
  folders: Folder[];
  /** Renders the rows of a folder's chats. */
  rows: (chats: ChatListItem[]) => ReactNode;
  onDropChat: (chatId: string, folderId: string | null) => void;
  onCreate: (name: string) => Promise<unknown>;
}

function acceptsChat(event: DragEvent): boolean {
  return event.dataTransfer.types.includes(CHAT_DRAG_TYPE);
}

/** Folders of chats: open one to see its chats; drop a chat on one to move it there. */
export function FolderList({ folders, rows, onDropChat, onCreate }: FolderListProps) {
  const t = useT();
  const headingId = useId();
  const inputId = useId();
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');

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
        <form
          className="chat-rename"
          onSubmit={(event) => {
            event.preventDefault();
            const trimmed = name.trim();
            if (!trimmed) return;
            void onCreate(trimmed).then(
              () => {
                setNaming(false);
                setName('');
              },
              () => undefined,
            );
          }}
        >
          <label htmlFor={inputId} className="visually-hidden">
            {t('sidebar.folderName')}
          </label>
          <input
            id={inputId}
            value={name}
            autoFocus
            placeholder={t('sidebar.folderName')}
            onChange={(event) => setName(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') setNaming(false);
            }}
          />
          <button type="submit">{t('sidebar.save')}</button>
          <button type="button" onClick={() => setNaming(false)}>
            {t('sidebar.cancel')}
          </button>
        </form>
      )}
      {folders.length > 0 && (
        <ul className="folder-list">
          {folders.map((folder) => (
            <FolderItem key={folder.id} folder={folder} rows={rows} onDropChat={onDropChat} />
          ))}
        </ul>
      )}
    </section>
  );
}

function FolderItem({
  folder,
  rows,
  onDropChat,
}: {
  folder: Folder;
  rows: FolderListProps['rows'];
  onDropChat: FolderListProps['onDropChat'];
}) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [over, setOver] = useState(false);
  const chats = useFolderChats(folder.id, open);
  const listId = useId();

  return (
    <li
      className={over ? 'folder drop-target' : 'folder'}
      data-folder-id={folder.id}
      onDragOver={(event) => {
        if (!acceptsChat(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'move';
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        setOver(false);
        const chatId = event.dataTransfer.getData(CHAT_DRAG_TYPE);
        if (!chatId) return;
        event.preventDefault();
        onDropChat(chatId, folder.id);
        setOpen(true);
      }}
    >
      <button
        type="button"
        className="folder-toggle"
        aria-expanded={open}
        aria-controls={open ? listId : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        <span aria-hidden="true">{open ? '▾' : '▸'}</span> {folder.name}
      </button>
      {open && (
        <div id={listId}>
          {chats.isPending ? (
            <p className="muted" role="status">
              {t('chats.loading')}
            </p>
          ) : (chats.data?.length ?? 0) === 0 ? (
            <p className="muted folder-empty">{t('sidebar.folderEmpty')}</p>
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
