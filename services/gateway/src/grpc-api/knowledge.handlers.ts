import type { MessageInitShape } from '@bufbuild/protobuf';
import type { ServiceHandlers } from '@parley/grpc';
import { apiV1Knowledge, retrievalV1 } from '@parley/proto';
import type { DownstreamClients } from '../downstream/downstream-clients';
import { knowledgeBaseInput, knowledgeBaseResource } from './knowledge-resources';
import { invalidArgument, limitText, namingField, requireText } from './request-checks';
import { userOf } from './user-of';

type KnowledgeMethods = typeof apiV1Knowledge.KnowledgeService extends { method: infer M } ? M : never;
type SearchTarget = MessageInitShape<typeof retrievalV1.SearchTargetSchema>;

const ID_MAX = 200;
const MAX_TARGETS = 50;
const MAX_TOP_K = 100;
const MAX_PAGE_SIZE = 100;

/** The bases and files of a Query as the retrieval service's search targets, checked by public field name. */
export function searchTargets(request: apiV1Knowledge.QueryRequest): SearchTarget[] {
  const count = request.knowledgeBaseIds.length + request.fileIds.length;
  if (!count)
    throw invalidArgument('knowledge_base_ids', 'name at least one knowledge base or file (file_ids)');
  if (count > MAX_TARGETS)
    throw invalidArgument('knowledge_base_ids', `and file_ids name at most ${MAX_TARGETS} in all`);
  return [
    ...request.knowledgeBaseIds.map((id, i) => ({
      target: {
        case: 'knowledgeBaseId' as const,
        value: requireText(`knowledge_base_ids[${i}]`, id, ID_MAX),
      },
    })),
    ...request.fileIds.map((id, i) => ({
      target: { case: 'fileId' as const, value: requireText(`file_ids[${i}]`, id, ID_MAX) },
    })),
  ];
}

/** parley.api.v1.KnowledgeService over the retrieval service, as the calling user. */
export function knowledgeHandlers(downstream: DownstreamClients): ServiceHandlers<KnowledgeMethods> {
  const retrieval = downstream.retrieval;
  return {
    async listKnowledgeBases(request, call) {
      if (request.pageSize < 0) throw invalidArgument('page_size', 'must not be negative');
      // The retrieval service's token is a cursor (opaque, refused when forged) and passes through as is.
      const reply = await retrieval
        .listKnowledgeBases(
          {
            pageSize: Math.min(request.pageSize, MAX_PAGE_SIZE),
            pageToken: limitText('page_token', request.pageToken, 500),
            writableOnly: false,
          },
          { caller: userOf(call) },
        )
        .catch(namingField('page_token'));
      return {
        knowledgeBases: reply.knowledgeBases.map(knowledgeBaseResource),
        nextPageToken: reply.nextPageToken,
      };
    },

    async createKnowledgeBase(request, call) {
      const knowledgeBase = knowledgeBaseInput(request.knowledgeBase);
      const reply = await retrieval.createKnowledgeBase({ knowledgeBase }, { caller: userOf(call) });
      return { knowledgeBase: knowledgeBaseResource(reply.knowledgeBase) };
    },

    async addFile(request, call) {
      const id = requireText('knowledge_base_id', request.knowledgeBaseId, ID_MAX);
      const fileId = requireText('file_id', request.fileId, ID_MAX);
      const reply = await retrieval.addKnowledgeFile({ id, fileId }, { caller: userOf(call) });
      return { knowledgeBase: knowledgeBaseResource(reply.knowledgeBase) };
    },

    async query(request, call) {
      const query = requireText('query', request.query.trim() ? request.query : '', 4_000);
      const targets = searchTargets(request);
      if (request.topK < 0 || request.topK > MAX_TOP_K)
        throw invalidArgument('top_k', `must be 0 (the server's default) to ${MAX_TOP_K}`);
      const reply = await retrieval.search({ query, targets, topK: request.topK }, { caller: userOf(call) });
      return {
        results: reply.hits.map((hit) => ({
          text: hit.chunk?.text ?? '',
          fileId: hit.chunk?.fileId ?? '',
          fileName: hit.chunk?.fileName ?? '',
          knowledgeBaseId: hit.chunk?.knowledgeBaseId ?? '',
          page: hit.chunk?.page ?? 0,
          heading: hit.chunk?.heading ?? '',
          score: hit.score,
        })),
      };
    },
  };
}
