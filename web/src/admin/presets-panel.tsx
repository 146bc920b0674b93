import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useApi } from '../api';
import { errorMessage } from '../app/error-message';
import { useT } from '../i18n';
import { ConfirmButton } from '../settings/confirm-button';
import { modelKeys, useModels } from '../models';
import { presetKeys, presetsApi, type Preset } from './presets-api';

/** Model presets: a base model with its own name, system prompt and temperature; on or off. */
export function PresetsPanel() {
  const t = useT();
  const api = useApi();
  const queryClient = useQueryClient();
  const headingId = useId();
  const ids = { id: useId(), name: useId(), base: useId(), system: useId(), temperature: useId() };
  const [form, setForm] = useState({ id: '', name: '', base: '', system: '', temperature: '' });
  const presets = useQuery({ queryKey: presetKeys.presets, queryFn: () => presetsApi.list(api) });
  const models = useModels();
  const presetIds = new Set(presets.data?.map((p) => p.id));
  const baseModels = (models.data ?? []).filter((m) => !presetIds.has(m.id));
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: presetKeys.presets }),
      queryClient.invalidateQueries({ queryKey: modelKeys.list }),
    ]);

  const create = useMutation({
    mutationFn: () => {
      const temperature = form.temperature.trim() === '' ? undefined : Number(form.temperature);
      return presetsApi.create(api, {
        id: form.id.trim(),
        name: form.name.trim(),
        base_model_id: form.base,
        meta: {},
        params: {
          ...(form.system.trim() ? { system: form.system } : {}),
          ...(temperature !== undefined && !Number.isNaN(temperature) ? { temperature } : {}),
        },
        is_active: true,
      });
    },
    onSuccess: async () => {
      setForm({ id: '', name: '', base: '', system: '', temperature: '' });
      await refresh();
    },
  });
  const update = useMutation({
    mutationFn: (preset: Preset) =>
      presetsApi.update(api, preset.id, presetsApi.formOf(preset, { is_active: !preset.is_active })),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (preset: Preset) => presetsApi.remove(api, preset.id),
    onSettled: refresh,
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }

  const set = (field: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [field]: value }));
  const failure = create.error ?? update.error ?? remove.error;

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('admin.presets.title')}</h2>
      {presets.isPending ? (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      ) : presets.isError ? (
        <p className="error" role="alert">
          {errorMessage(presets.error, t)}
        </p>
      ) : presets.data.length === 0 ? (
        <p className="muted">{t('admin.presets.none')}</p>
      ) : (
        <ul className="row-list" aria-labelledby={headingId}>
          {presets.data.map((preset) => (
            <li key={preset.id} className="row">
              <div className="row-main">
                <span className="row-title">{preset.name}</span>
                <span className="muted row-sub mono">
                  {preset.id} ← {preset.base_model_id}
                </span>
                {preset.params.system && <span className="muted row-sub">{preset.params.system}</span>}
              </div>
              {preset.write_access && (
                <div className="row-actions">
                  <label className="choice">
                    <input
                      type="checkbox"
                      checked={preset.is_active}
                      disabled={update.isPending}
                      onChange={() => update.mutate(preset)}
                    />
                    {t('admin.presets.active')}
                  </label>
                  <ConfirmButton
                    label={t('admin.delete')}
                    ariaLabel={t('admin.presets.deleteNamed', { name: preset.name })}
                    question={t('admin.presets.deleteQuestion', { name: preset.name })}
                    confirmLabel={t('admin.delete')}
                    onConfirm={() => remove.mutate(preset)}
                  />
                </div>
              )}
            </li>
          ))}
        </ul>
      )}

      <h3>{t('admin.presets.add')}</h3>
      <form className="inline-form" onSubmit={submit}>
        <div className="field">
          <label htmlFor={ids.id}>{t('admin.presets.id')}</label>
          <input id={ids.id} required value={form.id} onChange={(e) => set('id')(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.name}>{t('admin.presets.name')}</label>
          <input id={ids.name} required value={form.name} onChange={(e) => set('name')(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.base}>{t('admin.presets.base')}</label>
          <select id={ids.base} required value={form.base} onChange={(e) => set('base')(e.target.value)}>
            <option value="">{t('admin.presets.chooseBase')}</option>
            {baseModels.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name || m.id}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.temperature}>{t('admin.presets.temperature')}</label>
          <input
            id={ids.temperature}
            type="number"
            min={0}
            max={2}
            step={0.1}
            value={form.temperature}
            onChange={(e) => set('temperature')(e.target.value)}
          />
        </div>
        <div className="field wide">
          <label htmlFor={ids.system}>{t('admin.presets.system')}</label>
          <textarea
            id={ids.system}
            rows={3}
            value={form.system}
            onChange={(e) => set('system')(e.target.value)}
          />
        </div>
        <button type="submit" className="primary" disabled={create.isPending}>
          {t('admin.presets.create')}
        </button>
      </form>
      {failure && (
        <p className="error" role="alert">
          {errorMessage(failure, t)}
        </p>
      )}
    </section>
  );
}
