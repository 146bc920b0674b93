import { useT } from '../i18n';

/** Previous / "page n of m" / next under a list paged in the browser; nothing when one page is all. */
export function Pager({
  page,
  pages,
  label,
  onPage,
}: {
  page: number;
  pages: number;
  label: string;
  onPage: (page: number) => void;
}) {
  const t = useT();
  if (pages <= 1) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" disabled={page === 0} onClick={() => onPage(page - 1)}>
        {t('settings.files.previous')}
      </button>
      <span>{t('settings.files.page', { page: page + 1, pages })}</span>
      <button type="button" disabled={page >= pages - 1} onClick={() => onPage(page + 1)}>
        {t('settings.files.next')}
      </button>
    </nav>
  );
}
