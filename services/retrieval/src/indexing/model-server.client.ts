import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { RETRIEVAL_CONFIG, RetrievalConfig } from '../retrieval.config';
import type { Settings } from '../settings/retrieval-settings';

const unavailable = (what: string, detail: string) =>
  new DomainError(ErrorKind.Unavailable, `The ${what} did not answer as expected: ${detail.slice(0, 300)}`, {
    code: 'RETRIEVAL_UPSTREAM_UNAVAILABLE',
  });

const joinUrl = (base: string, path: string) => `${base.replace(/\/+$/, '')}${path}`;

/**
 * The model servers retrieval talks to: embeddings from an OpenAI-compatible server (`/embeddings`) or
 * Ollama (`/api/embed`), in batches of RAG_EMBEDDING_BATCH_SIZE, and an external reranker
 * (`POST {model, query, documents, top_n}` → `results[{index, relevance_score}]`).
 */
@Injectable()
export class ModelServerClient {
  constructor(@Inject(RETRIEVAL_CONFIG) private readonly config: RetrievalConfig) {}

  async embed(settings: Settings, inputs: string[], signal?: AbortSignal): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < inputs.length; start += settings.embeddingBatchSize) {
      if (signal?.aborted) throw signal.reason;
      const batch = inputs.slice(start, start + settings.embeddingBatchSize);
      vectors.push(...(await this.embedBatch(settings, batch, signal)));
    }
    const dims = vectors[0]?.length ?? 0;
    if (vectors.some((v) => v.length !== dims || !v.every(Number.isFinite)))
      throw unavailable('embedding server', 'the vectors differ in length or hold non-numbers');
    return vectors;
  }

  private async embedBatch(settings: Settings, input: string[], signal?: AbortSignal): Promise<number[][]> {
    if (settings.embeddingEngine === 'ollama') {
      const body = await this.post(
        'embedding server',
        joinUrl(settings.ollamaBaseUrl, '/api/embed'),
        { model: settings.embeddingModel, input },
        '',
        signal,
      );
      const embeddings = (body as { embeddings?: unknown }).embeddings;
      if (!Array.isArray(embeddings) || embeddings.length !== input.length)
        throw unavailable('embedding server', 'no `embeddings` for every input');
      return embeddings as number[][];
    }
    const body = await this.post(
      'embedding server',
      joinUrl(settings.openaiApiBaseUrl, '/embeddings'),
      { model: settings.embeddingModel, input },
      settings.openaiApiKey,
      signal,
    );
    const data = (body as { data?: Array<{ index?: number; embedding?: unknown }> }).data;
    if (!Array.isArray(data) || data.length !== input.length)
      throw unavailable('embedding server', 'no `data` entry for every input');
    const sorted = [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return sorted.map((d) => {
      if (!Array.isArray(d.embedding)) throw unavailable('embedding server', 'an entry without `embedding`');
      return d.embedding as number[];
    });
  }

  /** Relevance of each document to the query, by index (the reranker's order is not trusted). */
  async rerank(settings: Settings, query: string, documents: string[]): Promise<number[]> {
    const body = await this.post(
      'reranker',
      settings.externalRerankerUrl,
      { model: settings.rerankingModel, query, documents, top_n: documents.length },
      settings.externalRerankerApiKey,
    );
    const results = (body as { results?: Array<{ index?: unknown; relevance_score?: unknown }> }).results;
    if (!Array.isArray(results)) throw unavailable('reranker', 'no `results`');
    const scores = documents.map(() => 0);
    for (const r of results) {
      if (typeof r.index === 'number' && typeof r.relevance_score === 'number' && r.index in scores)
        scores[r.index] = r.relevance_score;
    }
    return scores;
  }

  private async post(
    what: string,
    url: string,
    payload: unknown,
    apiKey: string,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.config.RAG_EMBEDDING_TIMEOUT_MS);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
        },
        body: JSON.stringify(payload),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      throw unavailable(what, `${url}: ${(error as Error).message}`);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw unavailable(what, `${url} answered ${response.status} ${text}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw unavailable(what, `${url} answered with something that is not JSON`);
    }
  }
}
