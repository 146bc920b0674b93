import { useCallback, useId, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { useModal } from '../app/use-modal';
import { useT } from '../i18n';
import type { Citation } from './sources';

/** The sources under an answer: one chip per cited passage, `[n] file (p. N)`; a chip opens the passage. */
export function CitationChips({ citations }: { citations: readonly Citation[] }) {
  const t = useT();
  const [open, setOpen] = useState<Citation | null>(null);
  const close = useCallback(() => setOpen(null), []);
  if (citations.length === 0) return null;
  return (
    <>
      <ul className="citation-chips" aria-label={t('citations.label')}>
        {citations.map((c) => (
          <li key={c.number}>
            <button
              type="button"
              className="citation-chip"
              aria-haspopup="dialog"
              title={t('citations.open', { number: c.number })}
              onClick={() => setOpen(c)}
            >
              <span className="citation-number">[{c.number}]</span>{' '}
              <span className="citation-name">{c.fileName || t('citations.unnamed')}</span>
              {c.page !== undefined && (
                <span className="muted"> {t('citations.page', { page: c.page })}</span>
              )}
            </button>
          </li>
        ))}
      </ul>
      {open && <CitationDialog citation={open} onClose={close} />}
    </>
  );
}

/** The cited passage over the page, with where it comes from; Escape, Close or a click beside it closes. */
export function CitationDialog({ citation, onClose }: { citation: Citation; onClose: () => void }) {
  const t = useT();
  const titleId = useId();
  const closeButton = useRef<HTMLButtonElement>(null);
  useModal(onClose, closeButton);
  const name = citation.fileName || t('citations.unnamed');
  // On the body, as the image viewer is: the virtualised list's transformed rows would clip it.
  return createPortal(
    <div
      className="modal-backdrop"
      onClick={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
    >
      <div className="modal citation-dialog" role="dialog" aria-modal="true" aria-labelledby={titleId}>
        <h2 id={titleId}>
          [{citation.number}] {name}
        </h2>
        <dl className="citation-facts">
          {citation.page !== undefined && (
            <>
              <dt>{t('citations.pageLabel')}</dt>
              <dd>{citation.page}</dd>
            </>
          )}
          {citation.heading && (
            <>
              <dt>{t('citations.section')}</dt>
              <dd>{citation.heading}</dd>
            </>
          )}
          {citation.knowledgeBase && (
            <>
              <dt>{t('citations.knowledgeBase')}</dt>
              <dd>{citation.knowledgeBase.name || citation.knowledgeBase.id}</dd>
            </>
          )}
          {citation.score !== undefined && (
            <>
              <dt>{t('citations.score')}</dt>
              <dd>{new Intl.NumberFormat(t.locale, { maximumFractionDigits: 3 }).format(citation.score)}</dd>
            </>
          )}
        </dl>
        <blockquote className="citation-text">{citation.text}</blockquote>
        <div className="modal-actions">
          <button ref={closeButton} type="button" onClick={onClose}>
            {t('citations.close')}
          </button>
        </div>
      </div>
    </div>,
    document.body,
  );
}
