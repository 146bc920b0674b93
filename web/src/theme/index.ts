export {
  applyTheme,
  readStoredTheme,
  setTheme,
  useTheme,
  THEME_STORAGE_KEY,
  type ThemeChoice,
} from './theme';
export { ThemeSelect } from './theme-select';
