import { useSessionUser } from '../auth';
import { useT } from '../i18n';
import { ADMIN_TABS, adminHref, type AdminTab } from '../settings/app-route';
import { PageShell } from '../settings/page-shell';
import { ConnectionsPanel } from './connections-panel';
import { DocumentsPanel } from './documents-panel';
import { GroupsPanel } from './groups-panel';
import { PresetsPanel } from './presets-panel';
import { UsagePanel } from './usage-panel';
import { UsersPanel } from './users-panel';

const TAB_LABELS: Record<AdminTab, `admin.tabs.${AdminTab}`> = {
  users: 'admin.tabs.users',
  groups: 'admin.tabs.groups',
  connections: 'admin.tabs.connections',
  presets: 'admin.tabs.presets',
  usage: 'admin.tabs.usage',
  documents: 'admin.tabs.documents',
};

/** `#/admin/<tab>`: administration, for admins only (the server refuses everyone else anyway). */
export default function AdminScreen({ tab }: { tab: AdminTab }) {
  const t = useT();
  const user = useSessionUser();
  if (user.role !== 'admin') {
    return (
      <PageShell title={t('admin.title')}>
        <p className="error" role="alert">
          {t('admin.forbidden')}
        </p>
      </PageShell>
    );
  }
  return (
    <PageShell title={t('admin.title')}>
      <nav className="tabs" aria-label={t('admin.sections')}>
        {ADMIN_TABS.map((name) => (
          <a key={name} href={adminHref(name)} aria-current={name === tab ? 'page' : undefined}>
            {t(TAB_LABELS[name])}
          </a>
        ))}
      </nav>
      {tab === 'users' && <UsersPanel />}
      {tab === 'groups' && <GroupsPanel />}
      {tab === 'connections' && <ConnectionsPanel />}
      {tab === 'presets' && <PresetsPanel />}
      {tab === 'usage' && <UsagePanel />}
      {tab === 'documents' && <DocumentsPanel />}
    </PageShell>
  );
}
