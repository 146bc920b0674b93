import { useQuery } from '@tanstack/react-query';
import { forwardRef, useImperativeHandle, useState } from 'react';
import { useApi } from '../api';
import { filesApi, fileUrl, type MessageFile } from '../files';
import { useT } from '../i18n';
import { knowledgeApi, knowledgeKeys } from './knowledge-api';

/** At most this many rows; typing more after `#` narrows them. */
const MAX_ITEMS = 8;

/** The composer asks the open picker to handle a key; true when it did (the box must not). */
export interface HashPickerHandle {
  handleKey: (key: string) => boolean;
}

interface HashPickerProps {
  /** The text typed after `#`. */
  query: string;
  /** The listbox id, for the message box's aria-controls; option ids derive from it. */
  id: string;
  onActive: (optionId: string | undefined) => void;
  onPick: (item: MessageFile) => void;
  onClose: () => void;
}

/**
 * `#` in the composer: my knowledge bases and files, filtered by what follows the `#`. Focus stays in
 * the message box (arrows move, Enter or Tab picks, Escape closes); a pick becomes a chip and travels
 * in the message's `files` as `{type: 'collection', id, name}` (or the file item).
 */
export const HashPicker = forwardRef<HashPickerHandle, HashPickerProps>(function HashPicker(
  { query, id, onActive, onPick, onClose },
  ref,
) {
  const t = useT();
  const api = useApi();
  const [active, setActive] = useState(0);
  const bases = useQuery({
    queryKey: knowledgeKeys.list(),
    queryFn: ({ signal }) => knowledgeApi.list(api, signal),
  });
  const files = useQuery({ queryKey: ['files'], queryFn: ({ signal }) => filesApi.list(api, signal) });
  const needle = query.toLocaleLowerCase();
  const items: MessageFile[] = [
    ...(bases.data ?? []).map((kb): MessageFile => ({
      type: 'collection',
      id: kb.id,
      name: kb.name,
      url: '',
      size: 0,
      status: 'uploaded',
    })),
    ...(files.data ?? []).map((f): MessageFile => ({
      type: f.meta.content_type.startsWith('image/') ? 'image' : 'file',
      id: f.id,
      url: fileUrl(f.id),
      name: f.meta.name || f.filename,
      size: f.meta.size,
      status: 'uploaded',
      content_type: f.meta.content_type,
    })),
  ]
    .filter((item) => item.name.toLocaleLowerCase().includes(needle))
    .slice(0, MAX_ITEMS);
  const current = Math.min(active, Math.max(items.length - 1, 0));
  const optionId = (i: number) => `${id}-${i}`;

  useImperativeHandle(ref, () => ({
    handleKey(key) {
      if (key === 'Escape') {
        onClose();
        return true;
      }
      if (items.length === 0) return false;
      const move = (i: number) => {
        setActive(i);
        onActive(optionId(i));
      };
      if (key === 'ArrowDown') move((current + 1) % items.length);
      else if (key === 'ArrowUp') move((current - 1 + items.length) % items.length);
      else if (key === 'Enter' || key === 'Tab') onPick(items[current]!);
      else return false;
      return true;
    },
  }));

  const loading = bases.isPending || files.isPending;
  return (
    <div className="hash-picker">
      {items.length === 0 ? (
        <p className="muted" role="status">
          {loading ? t('app.loading') : t('picker.none')}
        </p>
      ) : (
        <ul id={id} role="listbox" aria-label={t('picker.label')}>
          {items.map((item, i) => (
            <li
              key={`${item.type}-${item.id}`}
              id={optionId(i)}
              role="option"
              aria-selected={i === current}
              className={i === current ? 'active' : undefined}
              // mousedown, not click: the message box keeps the focus.
              onMouseDown={(event) => {
                event.preventDefault();
                onPick(item);
              }}
            >
              <span className="hash-kind">
                {item.type === 'collection' ? t('picker.knowledge') : t('picker.file')}
              </span>{' '}
              {item.name}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
});

/** `#word` just before the caret (at the start or after a space): the word, and where its `#` is. */
export function hashQueryAt(text: string, caret: number): { query: string; start: number } | null {
  const match = /(^|\s)#([^\s#]*)$/.exec(text.slice(0, caret));
  if (!match) return null;
  return { query: match[2]!, start: caret - match[2]!.length - 1 };
}
