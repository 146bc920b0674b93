import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { useApi, type RetrievalConfig, type RetrievalEmbeddingConfig } from '../api';
import { errorMessage } from '../app/error-message';
import { useT } from '../i18n';

const documentKeys = {
  config: ['admin', 'retrieval', 'config'] as const,
  embedding: ['admin', 'retrieval', 'embedding'] as const,
};
/** While a re-index runs, its progress is asked for this often. */
const PROGRESS_POLL_MS = 2_000;

/** The form's fields, as text (inputs) or booleans (checkboxes). */
interface Draft {
  engine: string;
  model: string;
  url: string;
  key: string;
  batch: string;
  chunkSize: string;
  chunkOverlap: string;
  splitter: string;
  topK: string;
  hybrid: boolean;
  weight: string;
  reranker: string;
  rerankerModel: string;
  rerankerUrl: string;
  rerankerKey: string;
  topKReranker: string;
  threshold: string;
  template: string;
  bypass: boolean;
}

function draftOf(c: RetrievalConfig, e: RetrievalEmbeddingConfig): Draft {
  const endpoint = e.embedding_engine === 'ollama' ? e.ollama_config : e.openai_config;
  return {
    engine: e.embedding_engine,
    model: e.embedding_model,
    url: endpoint.url,
    key: endpoint.key,
    batch: String(e.embedding_batch_size),
    chunkSize: String(c.CHUNK_SIZE),
    chunkOverlap: String(c.CHUNK_OVERLAP),
    splitter: c.TEXT_SPLITTER,
    topK: String(c.TOP_K),
    hybrid: c.ENABLE_RAG_HYBRID_SEARCH,
    weight: String(c.HYBRID_BM25_WEIGHT),
    reranker: c.RAG_RERANKING_ENGINE,
    rerankerModel: c.RAG_RERANKING_MODEL,
    rerankerUrl: c.RAG_EXTERNAL_RERANKER_URL,
    rerankerKey: c.RAG_EXTERNAL_RERANKER_API_KEY,
    topKReranker: String(c.TOP_K_RERANKER),
    threshold: String(c.RELEVANCE_THRESHOLD),
    template: c.RAG_TEMPLATE,
    bypass: c.BYPASS_EMBEDDING_AND_RETRIEVAL,
  };
}

/** A number field's value, or null (unchanged) when empty; the server says what is out of range. */
const num = (value: string) => (value.trim() === '' ? null : Number(value));

/** Admin → Documents: Open WebUI's retrieval settings, re-index progress and the re-index button. */
export function DocumentsPanel() {
  const t = useT();
  const api = useApi();
  const queryClient = useQueryClient();
  const headingId = useId();
  const config = useQuery({
    queryKey: documentKeys.config,
    queryFn: () => api.get<RetrievalConfig>('/api/v1/retrieval/config'),
    refetchInterval: (query) => (query.state.data?.reindex.running ? PROGRESS_POLL_MS : false),
  });
  const embedding = useQuery({
    queryKey: documentKeys.embedding,
    queryFn: () => api.get<RetrievalEmbeddingConfig>('/api/v1/retrieval/embedding'),
  });
  const [draft, setDraft] = useState<Draft | null>(null);
  useEffect(() => {
    if (config.data && embedding.data && draft === null) setDraft(draftOf(config.data, embedding.data));
  }, [config.data, embedding.data, draft]);

  const save = useMutation({
    mutationFn: async (d: Draft) => {
      const e = embedding.data!;
      const endpoint = { url: d.url, key: d.key };
      const embeddingChanged =
        d.engine !== e.embedding_engine ||
        d.model !== e.embedding_model ||
        d.batch !== String(e.embedding_batch_size) ||
        d.url !== (d.engine === 'ollama' ? e.ollama_config : e.openai_config).url ||
        d.key !== (d.engine === 'ollama' ? e.ollama_config : e.openai_config).key;
      if (embeddingChanged)
        await api.post('/api/v1/retrieval/embedding/update', {
          body: {
            embedding_engine: d.engine,
            embedding_model: d.engine === '' ? '' : d.model.trim(),
            embedding_batch_size: num(d.batch),
            ...(d.engine === 'ollama' ? { ollama_config: endpoint } : { openai_config: endpoint }),
          },
        });
      return api.post<RetrievalConfig>('/api/v1/retrieval/config', {
        body: {
          CHUNK_SIZE: num(d.chunkSize),
          CHUNK_OVERLAP: num(d.chunkOverlap),
          TEXT_SPLITTER: d.splitter,
          TOP_K: num(d.topK),
          ENABLE_RAG_HYBRID_SEARCH: d.hybrid,
          HYBRID_BM25_WEIGHT: num(d.weight),
          RAG_RERANKING_ENGINE: d.reranker,
          RAG_RERANKING_MODEL: d.rerankerModel,
          RAG_EXTERNAL_RERANKER_URL: d.rerankerUrl,
          RAG_EXTERNAL_RERANKER_API_KEY: d.rerankerKey,
          TOP_K_RERANKER: num(d.topKReranker),
          RELEVANCE_THRESHOLD: num(d.threshold),
          RAG_TEMPLATE: d.template,
          BYPASS_EMBEDDING_AND_RETRIEVAL: d.bypass,
        },
      });
    },
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: documentKeys.config }),
        queryClient.invalidateQueries({ queryKey: documentKeys.embedding }),
      ]);
      setDraft(null);
    },
  });
  const reindex = useMutation({
    mutationFn: () => api.post('/api/v1/knowledge/reindex'),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: documentKeys.config }),
  });

  const failure = config.error ?? embedding.error;
  if (failure)
    return (
      <section className="panel" aria-labelledby={headingId}>
        <h2 id={headingId}>{t('admin.documents.title')}</h2>
        <p className="error" role="alert">
          {errorMessage(failure, t)}
        </p>
      </section>
    );
  if (!draft || !config.data)
    return (
      <p className="muted" role="status">
        {t('app.loading')}
      </p>
    );

  const progress = config.data.reindex;
  const keywordOnly = embedding.data?.embedding_engine === '' || embedding.data?.embedding_model === '';
  const set =
    <K extends keyof Draft>(field: K) =>
    (value: Draft[K]) =>
      setDraft((d) => (d ? { ...d, [field]: value } : d));
  function submit(event: FormEvent) {
    event.preventDefault();
    if (draft) save.mutate(draft);
  }

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('admin.documents.title')}</h2>
      {keywordOnly && (
        <p className="notice" role="status">
          {t('admin.documents.keywordOnly')}
        </p>
      )}
      <div className="reindex">
        <p role="status" className="muted">
          {progress.running
            ? t('admin.documents.reindexRunning', { done: progress.done, total: progress.total })
            : progress.total > 0
              ? t('admin.documents.reindexDone', {
                  done: progress.done,
                  total: progress.total,
                  failed: progress.failed,
                })
              : t('admin.documents.reindexIdle')}
        </p>
        {progress.running && <progress max={Math.max(progress.total, 1)} value={progress.done} />}
        <button
          type="button"
          disabled={reindex.isPending || progress.running}
          onClick={() => reindex.mutate()}
        >
          {t('admin.documents.reindex')}
        </button>
      </div>
      <form className="inline-form" onSubmit={submit}>
        <h3 className="wide">{t('admin.documents.embedding')}</h3>
        <Field label={t('admin.documents.engine')}>
          {(id) => (
            <select id={id} value={draft.engine} onChange={(e) => set('engine')(e.target.value)}>
              <option value="">{t('admin.documents.engineNone')}</option>
              <option value="openai">OpenAI</option>
              <option value="ollama">Ollama</option>
            </select>
          )}
        </Field>
        <TextField label={t('admin.documents.model')} value={draft.model} onChange={set('model')} />
        <TextField label={t('admin.documents.url')} value={draft.url} onChange={set('url')} />
        <TextField label={t('admin.documents.key')} type="password" value={draft.key} onChange={set('key')} />
        <TextField
          label={t('admin.documents.batch')}
          type="number"
          value={draft.batch}
          onChange={set('batch')}
        />
        {embedding.data && embedding.data.embedding_dimensions > 0 && (
          <p className="muted wide">
            {t('admin.documents.dimensions', { count: embedding.data.embedding_dimensions })}
          </p>
        )}

        <h3 className="wide">{t('admin.documents.chunking')}</h3>
        <TextField
          label={t('admin.documents.chunkSize')}
          type="number"
          value={draft.chunkSize}
          onChange={set('chunkSize')}
        />
        <TextField
          label={t('admin.documents.chunkOverlap')}
          type="number"
          value={draft.chunkOverlap}
          onChange={set('chunkOverlap')}
        />
        <Field label={t('admin.documents.splitter')}>
          {(id) => (
            <select id={id} value={draft.splitter} onChange={(e) => set('splitter')(e.target.value)}>
              <option value="character">{t('admin.documents.splitterCharacter')}</option>
              <option value="token">{t('admin.documents.splitterToken')}</option>
            </select>
          )}
        </Field>

        <h3 className="wide">{t('admin.documents.search')}</h3>
        <TextField
          label={t('admin.documents.topK')}
          type="number"
          value={draft.topK}
          onChange={set('topK')}
        />
        <CheckField label={t('admin.documents.hybrid')} checked={draft.hybrid} onChange={set('hybrid')} />
        <TextField
          label={t('admin.documents.weight')}
          type="number"
          step="0.05"
          value={draft.weight}
          onChange={set('weight')}
        />
        <TextField
          label={t('admin.documents.threshold')}
          type="number"
          step="0.05"
          value={draft.threshold}
          onChange={set('threshold')}
        />
        <Field label={t('admin.documents.reranker')}>
          {(id) => (
            <select id={id} value={draft.reranker} onChange={(e) => set('reranker')(e.target.value)}>
              <option value="">{t('admin.documents.rerankerNone')}</option>
              <option value="external">{t('admin.documents.rerankerExternal')}</option>
            </select>
          )}
        </Field>
        {draft.reranker === 'external' && (
          <>
            <TextField
              label={t('admin.documents.rerankerModel')}
              value={draft.rerankerModel}
              onChange={set('rerankerModel')}
            />
            <TextField
              label={t('admin.documents.rerankerUrl')}
              value={draft.rerankerUrl}
              onChange={set('rerankerUrl')}
            />
            <TextField
              label={t('admin.documents.rerankerKey')}
              type="password"
              value={draft.rerankerKey}
              onChange={set('rerankerKey')}
            />
            <TextField
              label={t('admin.documents.topKReranker')}
              type="number"
              value={draft.topKReranker}
              onChange={set('topKReranker')}
            />
          </>
        )}
        <CheckField label={t('admin.documents.bypass')} checked={draft.bypass} onChange={set('bypass')} />
        <Field label={t('admin.documents.template')} wide>
          {(id) => (
            <textarea
              id={id}
              rows={6}
              value={draft.template}
              onChange={(e) => set('template')(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" className="primary" disabled={save.isPending}>
          {t('admin.documents.save')}
        </button>
      </form>
      <p role="status" className="muted">
        {save.isSuccess ? t('admin.documents.saved') : ''}
      </p>
      {(save.error ?? reindex.error) && (
        <p className="error" role="alert">
          {errorMessage(save.error ?? reindex.error, t)}
        </p>
      )}
    </section>
  );
}

function Field({
  label,
  wide,
  children,
}: {
  label: string;
  wide?: boolean;
  children: (id: string) => ReactNode;
}) {
  const id = useId();
  return (
    <div className={wide ? 'field wide' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </div>
  );
}

function TextField({
  label,
  value,
  onChange,
  type = 'text',
  step,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: 'text' | 'number' | 'password';
  step?: string;
}) {
  return (
    <Field label={label}>
      {(id) => (
        <input
          id={id}
          type={type}
          step={step}
          autoComplete={type === 'password' ? 'off' : undefined}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

function CheckField({
  label,
  checked,
  onChange,
}: {
  label: string;
  checked: boolean;
  onChange: (value: boolean) => void;
}) {
  return (
    <label className="choice field">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      {label}
    </label>
  );
}
