import { memo, useId, useMemo, useState } from 'react';
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
                aria-label={t('message.previousVersion')}
                disabled={position <= 0 || busy}
                onClick={() => onSwitch(siblings[position - 1]!)}
              >
                ‹
              </button>
              <span>{t('message.versionOf', { index: position + 1, count: siblings.length })}</span>
              <button
                type="button"
                aria-label={t('message.nextVersion')}
                disabled={position >= siblings.length - 1 || busy}
                onClick={() => onSwitch(siblings[position + 1]!)}
              >
                ›
              </button>
            </div>
          )}
          {isUser && !editing && (
            <button
              type="button"
              disabled={busy}
              onClick={() => {
                setDraft(message.content);
                setEditing(true);
              }}
            >
              {t('message.edit')}
            </button>
          )}
          {!isUser && !message.streaming && (
            <>
              <button type="button" disabled={busy} onClick={() => onRegenerate(message)}>
                {t('message.regenerate')}
              </button>
              <button
                type="button"
                aria-pressed={rating === 1}
                aria-label={t('message.good')}
                title={t('message.good')}
                onClick={() => onRate(message, rating === 1 ? 0 : 1)}
              >
                <ThumbIcon />
              </button>
              <button
                type="button"
                aria-pressed={rating === -1}
                aria-label={t('message.bad')}
                title={t('message.bad')}
                onClick={() => onRate(message, rating === -1 ? 0 : -1)}
              >
                <ThumbIcon down />
              </button>
            </>
          )}
        </div>
      )}
    </article>
  );
});

/** A thumb outline (no emoji: not every system has an emoji font). */
function ThumbIcon({ down = false }: { down?: boolean }) {
  return (
    <svg
      viewBox="0 0 24 24"
      width="18"
      height="18"
      aria-hidden="true"
      focusable="false"
      style={down ? { transform: 'rotate(180deg)' } : undefined}
    >
      <path
        fill="none"
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinejoin="round"
        d="M7 10v11H3V10h4zm0 0 4-8c1.7 0 2.8 1.3 2.5 3L13 9h6a2 2 0 0 1 2 2.3l-1.3 7.5A2.5 2.5 0 0 1 17.2 21H7"
      />
    </svg>
  );
}
