import { LanguageSelect, useT } from '../i18n';
import { ThemeSelect } from '../theme';
import { ApiKeySection } from './api-key-section';
import { DefaultModelSection } from './default-model-section';
import { FilesSection } from './files-section';
import { PageShell, Section } from './page-shell';
import { PasswordSection } from './password-section';
import { ProfileSection } from './profile-section';

/** `#/settings`: the signed-in user's own settings. Loaded on demand (not in the initial bundle). */
export default function SettingsScreen() {
  const t = useT();
  return (
    <PageShell title={t('settings.title')}>
      <ProfileSection />
      <Section title={t('settings.appearance.title')}>
        <ThemeSelect />
        <LanguageSelect />
      </Section>
      <DefaultModelSection />
      <PasswordSection />
      <ApiKeySection />
      <FilesSection />
    </PageShell>
  );
}
