import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useApi, type Knowledge, type KnowledgeFile } from '../api';
import { errorMessage } from '../app/error-message';
import { AttachmentChips, filesApi, formatSize, useAttachments } from '../files';
import { useT } from '../i18n';
import { useServerEvent, type ServerEvent } from '../realtime';
import { knowledgeHref } from '../settings/app-route';
import { ConfirmButton } from '../settings/confirm-button';
import { knowledgeApi, knowledgeKeys, searchHits, type SearchHit } from './knowledge-api';

type IndexStatus = NonNullable<KnowledgeFile['status']>;

const STATES: Record<string, IndexStatus> = {
  FILE_INDEX_STATE_PENDING: 'pending',
  FILE_INDEX_STATE_INDEXING: 'indexing',
  FILE_INDEX_STATE_INDEXED: 'indexed',
  FILE_INDEX_STATE_FAILED: 'failed',
};

/** One knowledge base: its files with their indexing state (live), adding and removing, search, delete. */
export function KnowledgeDetail({ id }: { id: string }) {
  const t = useT();
  const api = useApi();
  const queryClient = useQueryClient();
  const key = knowledgeKeys.one(id);
  const base = useQuery({ queryKey: key, queryFn: ({ signal }) => knowledgeApi.get(api, id, signal) });
  const put = useCallback((kb: Knowledge) => queryClient.setQueryData(key, kb), [queryClient, key]);

  // Indexing moves on: `file:status` (stage "index") for the file's owner, `knowledge:status` for the base's.
  const onFileStatus = useCallback(
    (event: ServerEvent<'file:status'>) => {
      if (!('stage' in event) || event.stage !== 'index' || typeof event.file_id !== 'string') return;
      const status = STATES[String(event.state)];
      if (!status) return;
      queryClient.setQueryData<Knowledge>(key, (kb) =>
        kb
          ? {
              ...kb,
              files: kb.files.map((f) =>
                f.id === event.file_id
                  ? {
                      ...f,
                      status,
                      ...(typeof event.chunk_count === 'number' ? { chunk_count: event.chunk_count } : {}),
                      ...(event.error ? { error: event.error } : {}),
                    }
                  : f,
              ),
            }
          : kb,
      );
    },
    [queryClient, key],
  );
  useServerEvent('file:status', onFileStatus);
  const onKnowledgeStatus = useCallback(
    (event: ServerEvent<'knowledge:status'>) => {
      if (event.knowledge_base_id === id) void queryClient.invalidateQueries({ queryKey: key });
    },
    [queryClient, key, id],
  );
  useServerEvent('knowledge:status', onKnowledgeStatus);

  const remove = useMutation({
    mutationFn: () => knowledgeApi.remove(api, id),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: key });
      await queryClient.invalidateQueries({ queryKey: knowledgeKeys.list() });
      window.location.hash = knowledgeHref();
    },
  });

  if (base.isPending)
    return (
      <p className="muted" role="status">
        {t('app.loading')}
      </p>
    );
  if (base.isError)
    return (
      <>
        <p className="error" role="alert">
          {errorMessage(base.error, t)}
        </p>
        <a href={knowledgeHref()}>{t('knowledge.backToList')}</a>
      </>
    );
  const kb = base.data;
  return (
    <>
      <p>
        <a href={knowledgeHref()}>{t('knowledge.backToList')}</a>
      </p>
      <section className="panel" aria-labelledby="knowledge-files-title">
        <h2>{kb.name}</h2>
        {kb.description && <p className="muted">{kb.description}</p>}
        <h3 id="knowledge-files-title">{t('knowledge.files.title')}</h3>
        <KnowledgeFiles kb={kb} onChanged={put} />
        {kb.write_access && <AddFiles kb={kb} onChanged={put} />}
      </section>
      <SearchPanel id={id} />
      {kb.write_access && (
        <section className="panel" aria-labelledby="knowledge-delete-title">
          <h2 id="knowledge-delete-title">{t('knowledge.delete.title')}</h2>
          <p className="muted">{t('knowledge.delete.intro')}</p>
          <ConfirmButton
            label={t('knowledge.delete.button')}
            question={t('knowledge.delete.question', { name: kb.name })}
            confirmLabel={t('knowledge.delete.button')}
            disabled={remove.isPending}
            onConfirm={() => remove.mutate()}
          />
          {remove.error && (
            <p className="error" role="alert">
              {errorMessage(remove.error, t)}
            </p>
          )}
        </section>
      )}
    </>
  );
}

function KnowledgeFiles({ kb, onChanged }: { kb: Knowledge; onChanged: (kb: Knowledge) => void }) {
  const t = useT();
  const api = useApi();
  const removeFile = useMutation({
    mutationFn: (fileId: string) => knowledgeApi.removeFile(api, kb.id, fileId),
    onSuccess: onChanged,
  });
  if (kb.files.length === 0) return <p className="empty-state">{t('knowledge.files.empty')}</p>;
  return (
    <>
      <div className="table-scroll">
        <table className="files-table" aria-labelledby="knowledge-files-title">
          <thead>
            <tr>
              <th scope="col">{t('settings.files.name')}</th>
              <th scope="col">{t('settings.files.size')}</th>
              <th scope="col">{t('knowledge.files.state')}</th>
              {kb.write_access && (
                <th scope="col">
                  <span className="visually-hidden">{t('knowledge.files.remove')}</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {kb.files.map((f) => {
              const name = f.meta.name || t('knowledge.files.hidden');
              return (
                <tr key={f.id}>
                  <th scope="row" className="file-name" title={name}>
                    {name}
                  </th>
                  <td>{f.meta.size ? formatSize(f.meta.size, t.locale) : ''}</td>
                  <td>
                    <span className={`index-state index-${f.status ?? 'pending'}`}>
                      {f.status === 'indexed'
                        ? t('knowledge.state.indexedChunks', { count: f.chunk_count ?? 0 })
                        : t(`knowledge.state.${f.status ?? 'pending'}`)}
                    </span>
                    {f.status === 'failed' && f.error && <span className="error"> {f.error}</span>}
                  </td>
                  {kb.write_access && (
                    <td>
                      <button
                        type="button"
                        disabled={removeFile.isPending}
                        aria-label={t('files.remove', { name })}
                        onClick={() => removeFile.mutate(f.id)}
                      >
                        {t('knowledge.files.remove')}
                      </button>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {removeFile.error && (
        <p className="error" role="alert">
          {errorMessage(removeFile.error, t)}
        </p>
      )}
    </>
  );
}

/** Upload (then add once the text is read) or pick one of my files. */
function AddFiles({ kb, onChanged }: { kb: Knowledge; onChanged: (kb: Knowledge) => void }) {
  const t = useT();
  const api = useApi();
  const pickId = useId();
  const input = useRef<HTMLInputElement>(null);
  const uploads = useAttachments();
  const [chosen, setChosen] = useState('');
  const add = useMutation({
    mutationFn: (fileId: string) => knowledgeApi.addFile(api, kb.id, fileId),
    onSuccess: onChanged,
  });
  const mine = useQuery({ queryKey: ['files'], queryFn: ({ signal }) => filesApi.list(api, signal) });
  const addable = (mine.data ?? []).filter((f) => !kb.data.file_ids.includes(f.id));

  // An upload whose text is read goes into the base, and its chip goes away.
  const { attachments, remove } = uploads;
  const { mutate } = add;
  useEffect(() => {
    for (const a of attachments) {
      if (a.state !== 'ready' || !a.file) continue;
      remove(a.key);
      mutate(a.file.id);
    }
  }, [attachments, remove, mutate]);

  function pick(event: FormEvent) {
    event.preventDefault();
    if (!chosen) return;
    add.mutate(chosen);
    setChosen('');
  }

  return (
    <div className="knowledge-add">
      <AttachmentChips attachments={attachments} onRemove={remove} />
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="knowledge-file-input"
        onChange={(event) => {
          uploads.add([...(event.target.files ?? [])]);
          event.target.value = '';
        }}
      />
      <button type="button" className="primary" onClick={() => input.current?.click()}>
        {t('knowledge.files.upload')}
      </button>
      {addable.length > 0 && (
        <form className="inline-form" onSubmit={pick}>
          <div className="field">
            <label htmlFor={pickId}>{t('knowledge.files.pick')}</label>
            <select id={pickId} value={chosen} onChange={(e) => setChosen(e.target.value)}>
              <option value="">{t('knowledge.files.choose')}</option>
              {addable.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.meta.name || f.filename}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" disabled={!chosen || add.isPending}>
            {t('knowledge.files.add')}
          </button>
        </form>
      )}
      {add.error && (
        <p className="error" role="alert">
          {errorMessage(add.error, t)}
        </p>
      )}
    </div>
  );
}

function SearchPanel({ id }: { id: string }) {
  const t = useT();
  const api = useApi();
  const inputId = useId();
  const [query, setQuery] = useState('');
  const search = useMutation({
    mutationFn: (q: string) => knowledgeApi.search(api, { collection_names: [id], query: q }),
  });
  const hits: SearchHit[] = search.data ? searchHits(search.data) : [];

  function submit(event: FormEvent) {
    event.preventDefault();
    if (query.trim()) search.mutate(query.trim());
  }

  return (
    <section className="panel" aria-labelledby="knowledge-search-title">
      <h2 id="knowledge-search-title">{t('knowledge.search.title')}</h2>
      <form className="inline-form" role="search" onSubmit={submit}>
        <div className="field wide">
          <label htmlFor={inputId}>{t('knowledge.search.label')}</label>
          <input
            id={inputId}
            type="search"
            maxLength={4000}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        </div>
        <button type="submit" disabled={search.isPending || query.trim() === ''}>
          {t('knowledge.search.submit')}
        </button>
      </form>
      {search.error ? (
        <p className="error" role="alert">
          {errorMessage(search.error, t)}
        </p>
      ) : search.data && hits.length === 0 ? (
        <p className="muted" role="status">
          {t('knowledge.search.none')}
        </p>
      ) : (
        <ol className="search-hits" aria-label={t('knowledge.search.results')}>
          {hits.map((hit, i) => (
            <li key={`${hit.fileId}-${i}`} className="search-hit">
              <p className="search-hit-source">
                <strong>{hit.fileName || t('citations.unnamed')}</strong>
                {hit.page !== null && (
                  <span className="muted"> {t('citations.page', { page: hit.page })}</span>
                )}
                {hit.heading && <span className="muted"> · {hit.heading}</span>}
              </p>
              <blockquote className="citation-text">{hit.text}</blockquote>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
