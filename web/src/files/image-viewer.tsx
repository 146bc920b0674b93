import { useRef } from 'react';
import { useModal } from '../app/use-modal';
import { createPortal } from 'react-dom';
import { useT } from '../i18n';

/** An image at full size over the page: Esc, the close button or a click beside the image closes it. */
export function ImageViewer({ src, name, onClose }: { src: string; name: string; onClose: () => void }) {
  const t = useT();
  const closeButton = useRef<HTMLButtonElement>(null);

  useModal(onClose, closeButton);

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
