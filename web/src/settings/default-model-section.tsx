import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId } from 'react';
import { useApi } from '../api';
import { useT } from '../i18n';
import { useModels } from '../models';
import { Outcome, Section } from './page-shell';
import { settingsApi, settingsKeys, type UserSettings } from './settings-api';

/** The model a new chat starts with, saved on the server (Open WebUI's `settings.ui.models[0]`). */
export function DefaultModelSection() {
  const t = useT();
  const api = useApi();
  const queryClient = useQueryClient();
  const selectId = useId();
  const settings = useQuery({
    queryKey: settingsKeys.userSettings,
    queryFn: () => settingsApi.getSettings(api),
  });
  const models = useModels();

  const save = useMutation({
    mutationFn: (model: string) => {
      const current: UserSettings = settings.data ?? {};
      return settingsApi.updateSettings(api, {
        ...current,
        ui: { ...current.ui, models: model ? [model] : [] },
      });
    },
    onSuccess: (saved) => queryClient.setQueryData(settingsKeys.userSettings, saved),
  });

  const chosen = settings.data?.ui?.models?.[0] ?? '';
  const list = models.data ?? [];
  // Keep a saved model selectable even if no connection offers it right now.
  const options =
    chosen && !list.some((m) => m.id === chosen) ? [{ id: chosen, name: chosen }, ...list] : list;
  const failure = settings.error ?? models.error ?? save.error;

  return (
    <Section title={t('settings.model.title')}>
      <div className="field">
        <label htmlFor={selectId}>{t('settings.model.label')}</label>
        <select
          id={selectId}
          value={chosen}
          disabled={settings.isPending || save.isPending}
          onChange={(event) => save.mutate(event.target.value)}
        >
          <option value="">{t('settings.model.none')}</option>
          {options.map((model) => (
            <option key={model.id} value={model.id}>
              {model.name || model.id}
            </option>
          ))}
        </select>
      </div>
      {!models.isPending && list.length === 0 && <p className="muted">{t('settings.model.noModels')}</p>}
      <Outcome done={save.isSuccess ? t('settings.model.saved') : ''} failure={failure} />
    </Section>
  );
}
