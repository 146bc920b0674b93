import { memo, useId, useMemo, useState } from 'react';
import {
  Check,
  ChevronLeft,
  ChevronRight,
  Copy,
  Pencil,
  RefreshCw,
  ThumbsDown,
  ThumbsUp,
} from 'lucide-react';
import { CitationChips, readCitations } from '../citations';
import { useT } from '../i18n';
import { MessageFiles, readMessageFiles } from '../files';
import { Markdown } from '../markdown';
import type { DisplayMessage } from './use-conversation';

export interface MessageActions {
  onSwitch: (messageId: string) => void;
  onEdit: (message: DisplayMessage, content: string) => Promise<unknown>;
  onRegenerate: (message: DisplayMessage) => void;
  onRate: (message: DisplayMessage, rating: -1 | 0 | 1) => void;
}

interface MessageItemProps extends MessageActions {
  message: DisplayMessage;
  siblings: string[];
  /** Another answer is being written: no new branches until it ends. */
  busy: boolean;
  /** A shared chat: the text only, no actions; "You" becomes "User". */
  readOnly?: boolean;
}

/** One message: text (Markdown for answers), branch arrows, and the actions that fit its role. */
export const MessageItem = memo(function MessageItem({
  message,
  siblings,
  busy,
  onSwitch,
  onEdit,
  onRegenerate,
  onRate,
  readOnly = false,
}: MessageItemProps) {
  const t = useT();
  const headingId = useId();
  const editId = useId();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(message.content);
  const [saving, setSaving] = useState(false);
  const isUser = message.role === 'user';
  const citations = useMemo(() => (isUser ? [] : readCitations(message.sources)), [isUser, message.sources]);
  const position = siblings.indexOf(message.id);
  const rating = message.annotation?.rating ?? 0;
  const author = isUser
    ? readOnly
      ? t('share.userAuthor')
      : t('message.you')
    : message.model || t('message.assistant');

  async function saveEdit() {
    const content = draft.trim();
    if (!content) return;
    setSaving(true);
    try {
      await onEdit(message, content);
      setEditing(false);
    } catch {
      // The view shows the error; keep the draft.
    } finally {
      setSaving(false);
    }
  }

  return (
    <article className={`message message-${isUser ? 'user' : 'assistant'}`} aria-labelledby={headingId}>
      <h2 id={headingId} className="message-author">
        {author}
      </h2>
      {editing ? (
        <form
          className="message-edit"
          onSubmit={(event) => {
            event.preventDefault();
            void saveEdit();
          }}
        >
          <label htmlFor={editId} className="visually-hidden">
            {t('message.editLabel')}
          </label>
          <textarea id={editId} value={draft} rows={3} onChange={(event) => setDraft(event.target.value)} />
          <div className="message-actions">
            <button type="submit" className="primary" disabled={saving || busy || draft.trim() === ''}>
              {t('message.saveAndSend')}
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              {t('message.cancel')}
            </button>
          </div>
        </form>
      ) : isUser ? (
        <>
          <MessageFiles files={readMessageFiles(message)} />
          <p className="message-text">{message.content}</p>
        </>
      ) : message.content === '' && message.streaming ? (
        <p className="muted" role="status">
          {t('message.thinking')}
        </p>
      ) : (
        <Markdown content={message.content} />
      )}
      {message.streaming && message.content !== '' && (
        <span className="visually-hidden" role="status">
          {t('message.streaming')}
        </span>
      )}
      <CitationChips citations={citations} />
      {message.errorText && (
        <p className="error" role="alert">
          {message.errorText}
        </p>
      )}
      {!readOnly && (
        <div className="message-actions">
          {siblings.length > 1 && (
            <div className="branch-nav" role="group" aria-label={t('message.versions')}>
              <button
                type="button"
                className="icon-button"
                aria-label={t('message.previousVersion')}
                disabled={position <= 0 || busy}
                onClick={() => onSwitch(siblings[position - 1]!)}
              >
                <ChevronLeft {...ICON} />
              </button>
              <span>{t('message.versionOf', { index: position + 1, count: siblings.length })}</span>
              <button
                type="button"
                className="icon-button"
                aria-label={t('message.nextVersion')}
                disabled={position >= siblings.length - 1 || busy}
                onClick={() => onSwitch(siblings[position + 1]!)}
              >
                <ChevronRight {...ICON} />
              </button>
            </div>
          )}
          {!message.streaming && message.content !== '' && <CopyButton text={message.content} />}
          {isUser && !editing && (
            <button
              type="button"
              className="icon-button"
              disabled={busy}
              aria-label={t('message.edit')}
              title={t('message.edit')}
              onClick={() => {
                setDraft(message.content);
                setEditing(true);
              }}
            >
              <Pencil {...ICON} />
            </button>
          )}
          {!isUser && !message.streaming && (
            <>
              <button
                type="button"
                className="icon-button"
                disabled={busy}
                aria-label={t('message.regenerate')}
                title={t('message.regenerate')}
                onClick={() => onRegenerate(message)}
              >
                <RefreshCw {...ICON} />
              </button>
              <button
                type="button"
                className="icon-button"
                aria-pressed={rating === 1}
                aria-label={t('message.good')}
                title={t('message.good')}
                onClick={() => onRate(message, rating === 1 ? 0 : 1)}
              >
                <ThumbsUp {...ICON} />
              </button>
              <button
                type="button"
                className="icon-button"
                aria-pressed={rating === -1}
                aria-label={t('message.bad')}
                title={t('message.bad')}
                onClick={() => onRate(message, rating === -1 ? 0 : -1)}
              >
                <ThumbsDown {...ICON} />
              </button>
            </>
          )}
        </div>
      )}
    </article>
  );
});

/** lucide icons at the action bar's size; decorative (each button carries its own label). */
const ICON = { size: 16, strokeWidth: 1.8, 'aria-hidden': true, focusable: false } as const;

/** Copies the message's text (its Markdown source, as Open WebUI's copy does); says so for two seconds. */
function CopyButton({ text }: { text: string }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 2000);
    } catch {
      setCopied(false);
    }
  }
  const label = copied ? t('message.copied') : t('message.copy');
  return (
    <button
      type="button"
      className="icon-button"
      aria-label={label}
      title={label}
      onClick={() => void copy()}
    >
      {copied ? <Check {...ICON} /> : <Copy {...ICON} />}
    </button>
  );
}
