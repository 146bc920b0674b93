import { useEffect, type RefObject } from 'react';

/**
 * What every overlay dialog of the app does while it is open: focus moves into it, Escape closes it,
 * and on closing the focus goes back to what opened it.
 */
export function useModal(onClose: () => void, initialFocus: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    initialFocus.current?.focus();
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
  }, [onClose, initialFocus]);
}
