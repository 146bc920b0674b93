import { useEffect, useId, useRef, useState } from 'react';
import { useSession, useSessionUser } from '../auth';
import { useT } from '../i18n';
import { adminHref, KNOWLEDGE_HREF, SETTINGS_HREF } from './app-route';
import { usePermission } from './use-permission';

/**
 * The account button (top right): settings, the admin panel for admins, sign-out. A disclosure
 * menu: Escape or a click elsewhere closes it and gives focus back to the button.
 */
export function UserMenu() {
  const t = useT();
  const user = useSessionUser();
  const { signOut } = useSession();
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      buttonRef.current?.focus();
    };
    const onPointer = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [open]);

  const initials =
    user.name
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((part) => part[0]?.toUpperCase())
      .join('') || '?';

  return (
    <div className="user-menu" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="user-menu-button"
        aria-expanded={open}
        aria-controls={menuId}
        aria-label={t('settings.menu.label', { name: user.name })}
        onClick={() => setOpen((value) => !value)}
      >
        <span aria-hidden="true">{initials}</span>
      </button>
      {open && (
        <ul id={menuId} className="user-menu-list">
          <li className="muted user-menu-who">{user.email}</li>
          <li>
            <a href={SETTINGS_HREF} onClick={() => setOpen(false)}>
              {t('settings.menu.settings')}
            </a>
          </li>
          <KnowledgeItem onOpen={() => setOpen(false)} />
          {user.role === 'admin' && (
            <li>
              <a href={adminHref()} onClick={() => setOpen(false)}>
                {t('settings.menu.admin')}
              </a>
            </li>
          )}
          <li>
            <button type="button" className="link-button" onClick={() => void signOut()}>
              {t('session.signOut')}
            </button>
          </li>
        </ul>
      )}
    </div>
  );
}

/** The Knowledge page's item, for those who may use it; asks for the permissions only once the menu opens. */
function KnowledgeItem({ onOpen }: { onOpen: () => void }) {
  const t = useT();
  if (!usePermission('workspace.knowledge')) return null;
  return (
    <li>
      <a href={KNOWLEDGE_HREF} onClick={onOpen}>
        {t('settings.menu.knowledge')}
      </a>
    </li>
  );
}
