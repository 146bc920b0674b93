import { useId } from 'react';
import { useT } from '../i18n';
import { THEME_CHOICES, useTheme, type ThemeChoice } from './theme';

const LABELS: Record<ThemeChoice, 'theme.system' | 'theme.light' | 'theme.dark'> = {
  system: 'theme.system',
  light: 'theme.light',
  dark: 'theme.dark',
};

/** Three radio buttons: system, light, dark. The choice applies at once and is remembered. */
export function ThemeSelect() {
  const t = useT();
  const [theme, setTheme] = useTheme();
  const name = useId();
  return (
    <fieldset className="choice-group">
      <legend>{t('theme.label')}</legend>
      {THEME_CHOICES.map((choice) => (
        <label key={choice} className="choice">
          <input
            type="radio"
            name={name}
            value={choice}
            checked={theme === choice}
            onChange={() => setTheme(choice)}
          />
          {t(LABELS[choice])}
        </label>
      ))}
    </fieldset>
  );
}
