import { useId, useState } from 'react';
import { useT } from '../i18n';

interface NameFormProps {
  /** What the field is for (read by screen readers; the field's placeholder when none is given). */
  label: string;
  initial?: string;
  placeholder?: string;
  /** The buttons' texts; Save and Cancel by default. */
  submitText?: string;
  cancelText?: string;
  /** Save a non-empty, trimmed name; a rejection keeps the form open (the caller shows the error). */
  onSave: (name: string) => Promise<unknown>;
  /** After a save went through; when absent the field is cleared for the next name (tags). */
  onSaved?: () => void;
  /** Cancel, or Escape in the field. */
  onCancel: () => void;
}

/** The one-field form of the sidebar: new folder, rename a folder or chat, subfolder, add a tag. */
export function NameForm({
  label,
  initial = '',
  placeholder,
  submitText,
  cancelText,
  onSave,
  onSaved,
  onCancel,
}: NameFormProps) {
  const t = useT();
  const inputId = useId();
  const [draft, setDraft] = useState(initial);
  return (
    <form
      className="chat-rename"
      onSubmit={(event) => {
        event.preventDefault();
        const name = draft.trim();
        if (!name) return;
        void onSave(name).then(
          () => (onSaved ? onSaved() : setDraft('')),
          () => undefined,
        );
      }}
    >
      <label htmlFor={inputId} className="visually-hidden">
        {label}
      </label>
      <input
        id={inputId}
        value={draft}
        autoFocus
        placeholder={placeholder}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onCancel();
        }}
      />
      <button type="submit">{submitText ?? t('sidebar.save')}</button>
      <button type="button" onClick={onCancel}>
        {cancelText ?? t('sidebar.cancel')}
      </button>
    </form>
  );
}
