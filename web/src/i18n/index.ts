export { I18nProvider, useI18n, useT } from './i18n-context';
export { LanguageSelect } from './language-select';
export { createTranslate, detectLocale, dictionaries, LOCALES } from './translate';
export type { Dictionary, Locale, MessageKey, Translate, TranslateArgs } from './i18n-types';
