import { screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFakeServer } from '../testing/fake-server';
import { ADA, renderApp } from '../testing/render-app';

const ADMIN = { ...ADA, role: 'admin' as const };
const reindex = { running: false, total: 0, done: 0, failed: 0 };
const config = {
  status: true,
  RAG_TEMPLATE: 'Use {{CONTEXT}} for {{QUERY}}',
  TOP_K: 5,
  BYPASS_EMBEDDING_AND_RETRIEVAL: false,
  ENABLE_RAG_HYBRID_SEARCH: true,
  TOP_K_RERANKER: 3,
  RELEVANCE_THRESHOLD: 0,
  HYBRID_BM25_WEIGHT: 0.5,
  RAG_RERANKING_ENGINE: '',
  RAG_RERANKING_MODEL: '',
  RAG_EXTERNAL_RERANKER_URL: '',
  RAG_EXTERNAL_RERANKER_API_KEY: '',
  TEXT_SPLITTER: 'character',
  CHUNK_SIZE: 1000,
  CHUNK_OVERLAP: 100,
  RAG_FULL_TEXT_SEARCH_LANGUAGE: 'english',
  RAG_EMBEDDING_ENGINE: '',
  RAG_EMBEDDING_MODEL: '',
  reindex,
  embedding_dimensions: 0,
};
const embedding = {
  status: true,
  embedding_engine: '',
  embedding_model: '',
  embedding_batch_size: 32,
  openai_config: { url: '', key: '' },
  ollama_config: { url: '', key: '' },
  reindex,
  embedding_dimensions: 0,
};

function setup(c = config) {
  const server = createFakeServer({
    'GET /api/v1/auths/': { body: ADMIN },
    'GET /api/v1/retrieval/config': { body: c },
    'GET /api/v1/retrieval/embedding': { body: embedding },
  });
  return renderApp({ server });
}

describe('Admin → Documents', () => {
  beforeEach(() => {
    window.location.hash = '#/admin/documents';
  });

  it('says plainly that search is keyword-only without an embedding model, and saves the settings', async () => {
    const { server, user } = setup();
    expect(
      await screen.findByText(/Keyword-only search: no embedding model/, {}, { timeout: 5000 }),
    ).toBeInTheDocument();
    server.on('POST /api/v1/retrieval/config', { body: config });
    const topK = screen.getByLabelText('Top K');
    await user.clear(topK);
    await user.type(topK, '8');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(server.callsTo('POST', '/api/v1/retrieval/config')).toHaveLength(1));
    expect(server.callsTo('POST', '/api/v1/retrieval/config')[0]!.body).toMatchObject({
      TOP_K: 8,
      CHUNK_SIZE: 1000,
      ENABLE_RAG_HYBRID_SEARCH: true,
    });
    // The embedding model did not change: its route is left alone.
    expect(server.callsTo('POST', '/api/v1/retrieval/embedding/update')).toHaveLength(0);
  });

  it('shows re-index progress and starts a re-index', async () => {
    const { server, user } = setup({ ...config, reindex: { running: false, total: 4, done: 4, failed: 1 } });
    expect(
      await screen.findByText('Last re-index: 4 of 4 files, 1 failed.', {}, { timeout: 5000 }),
    ).toBeInTheDocument();
    server.on('POST /api/v1/knowledge/reindex', { body: { status: true } });
    server.on('GET /api/v1/retrieval/config', {
      body: { ...config, reindex: { running: true, total: 4, done: 1, failed: 0 } },
    });
    await user.click(screen.getByRole('button', { name: 'Re-index all' }));
    expect(await screen.findByText('Re-indexing: 1 of 4 files done.')).toBeInTheDocument();
    expect(server.callsTo('POST', '/api/v1/knowledge/reindex')).toHaveLength(1);
  });
});
