import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useT } from '../i18n';

interface ComposerProps {
  onSend: (text: string) => Promise<unknown>;
  onStop?: () => void;
  /** An answer is being written: sending waits, Stop shows. */
  streaming: boolean;
  disabled?: boolean;
  disabledReason?: string | undefined;
}

/** The message box: Enter sends, Shift+Enter is a new line; disabled while a message is on its way. */
export function Composer({ onSend, onStop, streaming, disabled = false, disabledReason }: ComposerProps) {
  const t = useT();
  const id = useId();
  const hintId = useId();
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const blocked = sending || streaming || disabled;

  async function submit() {
    const content = text.trim();
    if (!content || blocked) return;
    setSending(true);
    try {
      await onSend(content);
      setText('');
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

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    }
  }

  return (
    <form className="composer" onSubmit={onSubmit} aria-busy={sending}>
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
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        disabled={sending}
      />
      <p id={hintId} className="visually-hidden">
        {disabledReason ?? t('composer.hint')}
      </p>
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
