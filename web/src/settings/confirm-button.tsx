import { useEffect, useRef, useState } from 'react';
import { useT } from '../i18n';

interface ConfirmButtonProps {
  /** The button's text, e.g. "Delete". */
  label: string;
  /** Its accessible name when the text alone is ambiguous, e.g. "Delete Bob". */
  ariaLabel?: string;
  /** The question shown before acting, e.g. "Delete Bob? This cannot be undone." */
  question: string;
  /** The text of the button that does it. */
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
}

/**
 * A destructive action that asks first, inline: the button turns into the question with "confirm"
 * and "cancel" (focus goes to cancel, so Enter twice does not destroy anything by accident).
 */
export function ConfirmButton({
  label,
  ariaLabel,
  question,
  confirmLabel,
  onConfirm,
  disabled,
}: ConfirmButtonProps) {
  const t = useT();
  const [asking, setAsking] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);

  useEffect(() => {
    if (asking) cancelRef.current?.focus();
    else if (wasAsking.current) triggerRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <button
        ref={triggerRef}
        type="button"
        className="danger"
        aria-label={ariaLabel}
        disabled={disabled}
        onClick={() => setAsking(true)}
      >
        {label}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span className="confirm-question">{question}</span>
      <button
        type="button"
        className="danger strong"
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button ref={cancelRef} type="button" onClick={() => setAsking(false)}>
        {t('settings.cancel')}
      </button>
    </span>
  );
}
