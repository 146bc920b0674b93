import { useId } from 'react';
import { useT } from '../i18n';
import type { ModelItem } from './conversation-types';

export const MODEL_STORAGE_KEY = 'parley.model';

export function rememberModel(id: string): void {
  try {
    localStorage.setItem(MODEL_STORAGE_KEY, id);
  } catch {
    // Not remembered; nothing else breaks.
  }
}

/**
 * The model to preselect: the chat's own, then the default from Settings, then the one used last, then
 * the first offered.
 */
export function preferredModel(
  models: ModelItem[],
  chatModels: string[],
  defaultModel?: string | undefined,
): string | null {
  const offered = new Set(models.map((m) => m.id));
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(MODEL_STORAGE_KEY);
  } catch {
    saved = null;
  }
  return (
    chatModels.find((id) => offered.has(id)) ??
    (defaultModel && offered.has(defaultModel) ? defaultModel : null) ??
    (saved && offered.has(saved) ? saved : null) ??
    models[0]?.id ??
    null
  );
}

/**
 * The models this user may use (the server filters the list). When the list cannot be had (the model
 * service is down) it says so and offers to ask again, rather than suggesting a missing connection.
 */
export function ModelPicker({
  models,
  value,
  onChange,
  loading,
  unavailable = false,
  onRetry,
}: {
  models: ModelItem[];
  value: string | null;
  onChange: (id: string) => void;
  loading: boolean;
  /** The list could not be fetched (as opposed to an empty list). */
  unavailable?: boolean;
  onRetry?: () => void;
}) {
  const t = useT();
  const id = useId();
  const empty = !loading && models.length === 0;
  return (
    <div className="model-picker">
      <label htmlFor={id}>{t('chat.model')}</label>
      <select
        id={id}
        value={value ?? ''}
        disabled={loading || models.length === 0}
        onChange={(event) => onChange(event.target.value)}
      >
        {loading && <option value="">{t('app.loading')}</option>}
        {empty && (
          <option value="">{unavailable ? t('chat.modelsUnavailableShort') : t('chat.noModels')}</option>
        )}
        {models.map((model) => (
          <option key={model.id} value={model.id}>
            {model.name || model.id}
          </option>
        ))}
      </select>
      {unavailable && onRetry && (
        <button type="button" className="model-retry" onClick={onRetry}>
          {t('errors.retry')}
        </button>
      )}
    </div>
  );
}
