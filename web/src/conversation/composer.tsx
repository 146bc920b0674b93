import {
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type ClipboardEvent,
  type FormEvent,
  type KeyboardEvent,
} from 'react';
import { AttachmentChips, PickedChips, toMessageFiles, type Attachment, type MessageFile } from '../files';
import { useT } from '../i18n';
import { HashPicker, hashQueryAt, type HashPickerHandle } from '../knowledge/hash-picker';

/** The composer's files (useAttachments), kept by the chat so a drop anywhere on it attaches. */
export interface ComposerAttachments {
  attachments: readonly Attachment[];
  add: (files: readonly File[]) => void;
  remove: (key: string) => void;
  clear: () => void;
}

interface ComposerProps {
  onSend: (text: string, files: MessageFile[]) => Promise<unknown>;
  /** Without it the composer has no attach button (and pasted images stay text). */
  files?: ComposerAttachments;
  onStop?: () => void;
  /** An answer is being written: sending waits, Stop shows. */
  streaming: boolean;
  disabled?: boolean;
  disabledReason?: string | undefined;
  /** `#` opens a picker of knowledge bases and my files (needs the API; off in a bare composer). */
  hashPicker?: boolean;
  /** Take the focus when shown (a new chat: the next keystroke is the message). */
  autoFocus?: boolean;
}

/** The message box: Enter sends, Shift+Enter is a new line; disabled while a message is on its way. */
export function Composer({
  onSend,
  files,
  onStop,
  streaming,
  disabled = false,
  disabledReason,
  hashPicker = false,
  autoFocus = false,
}: ComposerProps) {
  const t = useT();
  const id = useId();
  const hintId = useId();
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const listboxId = useId();
  const hash = useRef<HashPickerHandle>(null);
  // The `#word` being typed (null: picker closed), and what was picked with it.
  const [hashQuery, setHashQuery] = useState<{ query: string; start: number } | null>(null);
  const [activeOption, setActiveOption] = useState<string | undefined>(undefined);
  const [picks, setPicks] = useState<MessageFile[]>([]);
  const attachments = files?.attachments ?? [];
  // A file still on its way (or still being read) would be missing from the message.
  const waiting = attachments.some((a) => a.state === 'uploading' || a.state === 'processing');
  const blocked = sending || streaming || disabled || waiting;

  useEffect(() => {
    if (autoFocus) box.current?.focus();
  }, [autoFocus]);

  // The box grows with its text; CSS caps it (max-height), and beyond that it scrolls.
  useLayoutEffect(() => {
    const element = box.current;
    if (!element) return;
    element.style.height = 'auto';
    const borders = element.offsetHeight - element.clientHeight;
    element.style.height = `${element.scrollHeight + borders}px`;
  }, [text]);

  async function submit() {
    const content = text.trim();
    if (!content || blocked) return;
    setSending(true);
    try {
      await onSend(content, [...toMessageFiles(attachments), ...picks]);
      setText('');
      setPicks([]);
      files?.clear();
    } catch {
      // The caller shows the error; the text stays so nothing is lost.
    } finally {
      setSending(false);
      // The box was disabled while sending, which took the focus away: give it back.
      window.setTimeout(() => box.current?.focus(), 0);
    }
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    void submit();
  }

  function onTextChange(value: string, caret: number) {
    setText(value);
    const found = hashPicker ? hashQueryAt(value, caret) : null;
    setHashQuery(found);
    if (!found) setActiveOption(undefined);
  }

  function pick(item: MessageFile) {
    if (hashQuery) {
      const caret = hashQuery.start + 1 + hashQuery.query.length;
      setText((value) => value.slice(0, hashQuery.start) + value.slice(caret));
    }
    setPicks((list) => (list.some((p) => p.id === item.id) ? list : [...list, item]));
    setHashQuery(null);
    setActiveOption(undefined);
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (hashQuery && hash.current?.handleKey(event.key)) {
      event.preventDefault();
      return;
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    }
  }

  function onPaste(event: ClipboardEvent<HTMLTextAreaElement>) {
    if (!files) return;
    const images = [...event.clipboardData.files].filter((file) => file.type.startsWith('image/'));
    if (images.length === 0) return;
    event.preventDefault();
    files.add(images);
  }

  return (
    <form className="composer" onSubmit={onSubmit} aria-busy={sending}>
      {files && <AttachmentChips attachments={attachments} onRemove={files.remove} />}
      <PickedChips items={picks} onRemove={(item) => setPicks((list) => list.filter((p) => p !== item))} />
      {hashQuery && (
        <HashPicker
          ref={hash}
          id={listboxId}
          query={hashQuery.query}
          onActive={setActiveOption}
          onPick={pick}
          onClose={() => {
            setHashQuery(null);
            setActiveOption(undefined);
          }}
        />
      )}
      <label htmlFor={id} className="visually-hidden">
        {t('composer.label')}
      </label>
      <textarea
        ref={box}
        id={id}
        value={text}
        rows={2}
        placeholder={t('composer.placeholder')}
        aria-describedby={hintId}
        aria-controls={hashQuery ? listboxId : undefined}
        aria-activedescendant={hashQuery ? activeOption : undefined}
        aria-autocomplete={hashPicker ? 'list' : undefined}
        onChange={(event) => onTextChange(event.target.value, event.target.selectionStart)}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
        disabled={sending}
      />
      <p id={hintId} className="visually-hidden">
        {disabledReason ??
          (waiting
            ? t('files.waitForUploads')
            : `${t('composer.hint')}${hashPicker ? ` ${t('composer.hashHint')}` : ''}`)}
      </p>
      {files && (
        <>
          <input
            ref={picker}
            type="file"
            multiple
            hidden
            data-testid="file-input"
            onChange={(event) => {
              files.add([...(event.target.files ?? [])]);
              event.target.value = '';
            }}
          />
          <button
            type="button"
            className="attach"
            onClick={() => picker.current?.click()}
            disabled={sending}
            aria-label={t('files.attach')}
            title={t('files.attach')}
          >
            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
              <path
                d="M20 11.5l-8.1 8.1a5 5 0 0 1-7.1-7.1l8.5-8.5a3.4 3.4 0 0 1 4.8 4.8l-8.4 8.4a1.7 1.7 0 0 1-2.4-2.4l7.7-7.7"
                fill="none"
                stroke="currentColor"
                strokeWidth="1.8"
                strokeLinecap="round"
              />
            </svg>
          </button>
        </>
      )}
      {streaming && onStop ? (
        <button type="button" className="stop" onClick={onStop}>
          {t('composer.stop')}
        </button>
      ) : (
        <button type="submit" className="primary" disabled={blocked || text.trim() === ''}>
          {sending ? t('composer.sending') : t('composer.send')}
        </button>
      )}
    </form>
  );
}
