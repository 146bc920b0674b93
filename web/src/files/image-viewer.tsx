import { useEffect, useRef } from 'react';
import { createPortal } from 'react-dom';
import { useT } from '../i18n';

/** An image at full size over the page: Esc, the close button or a click beside the image closes it. */
export function ImageViewer({ src, name, onClose }: { src: string; name: string; onClose: () => void }) {
  const t = useT();
  const closeButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeButton.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        onClose();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      opener?.focus();
    };
  }, [onClose]);

  // On the body: the virtualised message list moves its rows with transforms, and a transformed
  // ancestor would clip a fixed overlay to its row.
  return createPortal(
    <div
      className="image-viewer"
      role="dialog"
      aria-modal="true"
      aria-label={t('files.viewer.label', { name })}
      onClick={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
    >
      <img src={src} alt={name} />
      <button ref={closeButton} type="button" className="image-viewer-close" onClick={onClose}>
        {t('files.viewer.close')}
      </button>
    </div>,
    document.body,
  );
}
