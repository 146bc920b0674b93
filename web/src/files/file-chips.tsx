import { useState, type ReactNode } from 'react';
import { useT } from '../i18n';
import { fileContentUrl } from './files-api';
import { ImageViewer } from './image-viewer';
import { formatSize, type MessageFile } from './message-files';
import { uploadErrorMessage } from './upload-error';
import type { Attachment } from './use-attachments';

/** Drawn, not an emoji: emoji fonts are missing on many Linux desktops and servers' browsers. */
function DocumentIcon() {
  return (
    <svg
      className="file-icon"
      viewBox="0 0 24 24"
      width="24"
      height="24"
      aria-hidden="true"
      focusable="false"
    >
      <path
        d="M6 2h8l5 5v15H6z M14 2v5h5 M9 12h7 M9 15h7 M9 18h5"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.5"
        strokeLinejoin="round"
      />
    </svg>
  );
}

interface ChipProps {
  name: string;
  size: number;
  /** A knowledge base: said instead of a size. */
  collection?: boolean;
  /** A thumbnail, for images. */
  thumbnail?: string | undefined;
  /** The full image the thumbnail opens. */
  full?: string | undefined;
  /** Under the name: progress, state, error. */
  children?: ReactNode;
  /** Beside the text: the remove button. */
  action?: ReactNode;
}

function Chip({ name, size, collection = false, thumbnail, full, children, action }: ChipProps) {
  const t = useT();
  const [viewing, setViewing] = useState(false);
  return (
    <li className="file-chip">
      {thumbnail ? (
        <button
          type="button"
          className="file-thumb"
          onClick={() => setViewing(true)}
          aria-label={t('files.open', { name })}
        >
          <img src={thumbnail} alt="" />
        </button>
      ) : (
        <DocumentIcon />
      )}
      <span className="file-chip-text">
        <span className="file-name" title={name}>
          {name}
        </span>
        <span className="file-size muted">
          {collection ? t('picker.knowledge') : formatSize(size, t.locale)}
        </span>
        {children}
      </span>
      {action}
      {viewing && full && <ImageViewer src={full} name={name} onClose={() => setViewing(false)} />}
    </li>
  );
}

/** The composer's attachments: progress while uploading, a processing state, the reason of a failure. */
export function AttachmentChips({
  attachments,
  onRemove,
}: {
  attachments: readonly Attachment[];
  onRemove: (key: string) => void;
}) {
  const t = useT();
  if (attachments.length === 0) return null;
  return (
    <ul className="file-chips composer-files" aria-label={t('files.attached')}>
      {attachments.map((a) => (
        <Chip
          key={a.key}
          name={a.name}
          size={a.size}
          thumbnail={a.previewUrl}
          full={a.previewUrl ?? (a.file ? fileContentUrl(a.file.id) : undefined)}
          action={
            <button
              type="button"
              className="file-remove"
              onClick={() => onRemove(a.key)}
              aria-label={t('files.remove', { name: a.name })}
            >
              ×
            </button>
          }
        >
          {a.state === 'uploading' && (
            <progress
              className="file-progress"
              max={100}
              value={Math.round(a.progress * 100)}
              aria-label={t('files.uploading', { name: a.name })}
            />
          )}
          {a.state === 'processing' && (
            <span className="file-state muted" role="status">
              {t('files.processing')}
            </span>
          )}
          {a.state === 'failed' && (
            <span className="file-state error" role="alert">
              {uploadErrorMessage(a.error, t)}
            </span>
          )}
        </Chip>
      ))}
    </ul>
  );
}

/** The files a sent message carries; images as thumbnails that open the viewer. */
export function MessageFiles({ files }: { files: readonly MessageFile[] }) {
  const t = useT();
  if (files.length === 0) return null;
  return (
    <ul className="file-chips message-files" aria-label={t('files.ofMessage')}>
      {files.map((f) => {
        const content = fileContentUrl(f.id);
        const image = f.type === 'image';
        return (
          <Chip
            key={f.id}
            name={f.name}
            size={f.size}
            collection={f.type === 'collection'}
            thumbnail={image ? content : undefined}
            full={image ? content : undefined}
          />
        );
      })}
    </ul>
  );
}

/** What was picked with `#` in the composer (knowledge bases, my files), each removable. */
export function PickedChips({
  items,
  onRemove,
}: {
  items: readonly MessageFile[];
  onRemove: (item: MessageFile) => void;
}) {
  const t = useT();
  if (items.length === 0) return null;
  return (
    <ul className="file-chips composer-files" aria-label={t('picker.picked')}>
      {items.map((item) => (
        <Chip
          key={`${item.type}-${item.id}`}
          name={item.name}
          size={item.size}
          collection={item.type === 'collection'}
          action={
            <button
              type="button"
              className="file-remove"
              onClick={() => onRemove(item)}
              aria-label={t('files.remove', { name: item.name })}
            >
              ×
            </button>
          }
        />
      ))}
    </ul>
  );
}
