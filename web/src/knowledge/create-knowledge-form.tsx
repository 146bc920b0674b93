import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useApi } from '../api';
import { errorMessage } from '../app/error-message';
import { useT } from '../i18n';
import { knowledgeHref } from '../settings/app-route';
import { accessOf, AccessControlEditor, type AccessMode } from './access-control-editor';
import { knowledgeApi, knowledgeKeys } from './knowledge-api';

/** A new knowledge base: name, description, who may read it; then its own page opens to add files. */
export function CreateKnowledgeForm() {
  const t = useT();
  const api = useApi();
  const queryClient = useQueryClient();
  const ids = { title: useId(), name: useId(), description: useId() };
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [access, setAccess] = useState<{ mode: AccessMode; groupIds: string[] }>({
    mode: 'private',
    groupIds: [],
  });
  const create = useMutation({
    mutationFn: () =>
      knowledgeApi.create(api, {
        name: name.trim(),
        description: description.trim(),
        access_control: accessOf(access.mode, access.groupIds),
      }),
    onSuccess: async (created) => {
      queryClient.setQueryData(knowledgeKeys.one(created.id), created);
      await queryClient.invalidateQueries({ queryKey: knowledgeKeys.list() });
      window.location.hash = knowledgeHref(created.id);
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (name.trim()) create.mutate();
  }

  return (
    <section className="panel" aria-labelledby={ids.title}>
      <h2 id={ids.title}>{t('knowledge.create.title')}</h2>
      <form className="inline-form" onSubmit={submit}>
        <div className="field">
          <label htmlFor={ids.name}>{t('knowledge.create.name')}</label>
          <input
            id={ids.name}
            required
            maxLength={200}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <div className="field wide">
          <label htmlFor={ids.description}>{t('knowledge.create.description')}</label>
          <textarea
            id={ids.description}
            rows={2}
            maxLength={10_000}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
        <div className="field wide">
          <AccessControlEditor
            mode={access.mode}
            groupIds={access.groupIds}
            onChange={(mode, groupIds) => setAccess({ mode, groupIds })}
          />
        </div>
        <button type="submit" className="primary" disabled={create.isPending || name.trim() === ''}>
          {t('knowledge.create.submit')}
        </button>
      </form>
      {create.error && (
        <p className="error" role="alert">
          {errorMessage(create.error, t)}
        </p>
      )}
    </section>
  );
}
