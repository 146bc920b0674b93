import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { callerSigning, createGrpcClient, ServiceClient } from '@parley/grpc';
import { retrievalV1 } from '@parley/proto';
import { type ActingUser, userCallOptions } from '../authorization/acting-user';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';

type RetrievalMethods = typeof retrievalV1.RetrievalService extends { method: infer M } ? M : never;

export type RetrievalTarget = { fileId: string } | { knowledgeBaseId: string };

/** Open WebUI's `sources` entry: where the chunks came from, the chunks, their metadata and scores. */
export interface AnswerSource {
  source: { type: string; id: string; name: string };
  document: string[];
  metadata: Array<Record<string, unknown>>;
  distances: number[];
}

export interface RetrievedContext {
  prompt: string;
  sources: AnswerSource[];
  bypass: boolean;
}

/** The retrieval service as a completion sees it (RETRIEVAL_GRPC_URL; absent: no retrieval). */
@Injectable()
export class RetrievalClient implements OnApplicationShutdown {
  private readonly retrieval?: ServiceClient<RetrievalMethods>;

  constructor(@Inject(MODEL_GATEWAY_CONFIG) config: ModelGatewayConfig) {
    if (!config.RETRIEVAL_GRPC_URL) return;
    this.retrieval = createGrpcClient(retrievalV1.RetrievalService, config.RETRIEVAL_GRPC_URL, {
      // Embedding the question and searching: more than a plain lookup, less than a model's answer.
      deadlineMs: Math.max(config.GRPC_DEADLINE_MS, 30_000),
      peerName: 'retrieval',
      signing: callerSigning(config, 'model-gateway', 'retrieval'),
    });
  }

  get enabled(): boolean {
    return !!this.retrieval;
  }

  /** The context for `query` from the targets, searched as the user (what they may read only). */
  async context(user: ActingUser, query: string, targets: RetrievalTarget[]): Promise<RetrievedContext> {
    if (!this.retrieval) return { prompt: '', sources: [], bypass: true };
    const answer = await this.retrieval.buildContext(
      {
        query,
        targets: targets.map((t) =>
          'fileId' in t
            ? { target: { case: 'fileId' as const, value: t.fileId } }
            : { target: { case: 'knowledgeBaseId' as const, value: t.knowledgeBaseId } },
        ),
      },
      userCallOptions(user),
    );
    return {
      prompt: answer.prompt,
      bypass: answer.bypass,
      sources: answer.sources.map((s) => ({
        source: { type: s.type, id: s.id, name: s.name },
        document: s.hits.map((h) => h.chunk?.text ?? ''),
        metadata: s.hits.map((h) => ({
          file_id: h.chunk?.fileId ?? '',
          name: h.chunk?.fileName ?? '',
          source: h.chunk?.fileName ?? '',
          page: h.chunk?.page || undefined,
          heading: h.chunk?.heading || undefined,
          position: h.chunk?.position ?? 0,
          knowledge_base_id: h.chunk?.knowledgeBaseId || undefined,
          score: h.score,
        })),
        distances: s.hits.map((h) => h.score),
      })),
    };
  }

  onApplicationShutdown(): void {
    this.retrieval?.close();
  }
}
