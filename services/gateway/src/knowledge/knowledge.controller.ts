import { Controller, Inject, Req } from '@nestjs/common';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { DomainError, ErrorKind } from '@parley/errors';
import type { UserCaller } from '@parley/grpc';
import type { retrievalV1 } from '@parley/proto';
import type { RouteInput as Input, RouteResult as Result } from '../contract/route-contract';
import { Route, RouteInput } from '../contract/route.decorator';
import { DownstreamClients } from '../downstream/downstream-clients';
import { FileDirectory } from './file-directory';
import { knowledgeContract as c } from './knowledge.contract';
import { knowledgeInput, knowledgeJson } from './knowledge-json';

/** The most knowledge bases one list answer holds (Open WebUI answers all of them, unpaged). */
const MAX_LISTED = 1_000;

/**
 * Open WebUI's knowledge routes. Fixed paths (/list, /create, /reindex) come before /{id}. Access is
 * the retrieval service's; the gateway adds file names from the files service, asked as the caller.
 */
@Controller()
export class KnowledgeController {
  constructor(
    @Inject(DownstreamClients) private readonly downstream: DownstreamClients,
    @Inject(FileDirectory) private readonly directory: FileDirectory,
  ) {}

  private get retrieval() {
    return this.downstream.retrieval;
  }

  /** The bases with their files' names, looked up for all of them at once. */
  private async answer(caller: UserCaller, bases: retrievalV1.KnowledgeBase[]) {
    const files = await this.directory.lookup(
      caller,
      bases.flatMap((kb) => kb.fileIds),
    );
    return bases.map((kb) => knowledgeJson(kb, files));
  }

  private async one(caller: UserCaller, kb: retrievalV1.KnowledgeBase | undefined) {
    if (!kb) throw new DomainError(ErrorKind.Internal, 'The retrieval service sent no knowledge base.');
    return (await this.answer(caller, [kb]))[0]!;
  }

  private async listAll(caller: UserCaller, writableOnly: boolean) {
    const all: retrievalV1.KnowledgeBase[] = [];
    let pageToken = '';
    do {
      const page = await this.retrieval.listKnowledgeBases(
        { pageSize: 100, pageToken, writableOnly },
        { caller },
      );
      all.push(...page.knowledgeBases);
      pageToken = page.nextPageToken;
    } while (pageToken && all.length < MAX_LISTED);
    return this.answer(caller, all.slice(0, MAX_LISTED));
  }

  @Route(c.list)
  async list(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.list>> {
    return this.listAll(req.caller, false);
  }

  @Route(c.writable)
  async writable(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.writable>> {
    return this.listAll(req.caller, true);
  }

  @Route(c.create)
  async create(
    @RouteInput() { body: form }: Input<typeof c.create>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.create>> {
    const caller = req.caller;
    let { knowledgeBase: kb } = await this.retrieval.createKnowledgeBase(
      { knowledgeBase: knowledgeInput(form) },
      { caller },
    );
    for (const fileId of new Set(form.data?.file_ids ?? [])) {
      ({ knowledgeBase: kb } = await this.retrieval.addKnowledgeFile({ id: kb!.id, fileId }, { caller }));
    }
    return this.one(caller, kb);
  }

  @Route(c.reindex)
  async reindex(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.reindex>> {
    await this.retrieval.reindexAll({}, { caller: req.caller });
    return true;
  }

  @Route(c.get)
  async get(
    @RouteInput() { params: { id } }: Input<typeof c.get>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.get>> {
    const { knowledgeBase } = await this.retrieval.getKnowledgeBase({ id }, { caller: req.caller });
    return this.one(req.caller, knowledgeBase);
  }

  @Route(c.update)
  async update(
    @RouteInput() { params: { id }, body: form }: Input<typeof c.update>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.update>> {
    const { knowledgeBase } = await this.retrieval.updateKnowledgeBase(
      { id, knowledgeBase: knowledgeInput(form) },
      { caller: req.caller },
    );
    return this.one(req.caller, knowledgeBase);
  }

  @Route(c.addFile)
  async addFile(
    @RouteInput() { params: { id }, body: { file_id: fileId } }: Input<typeof c.addFile>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.addFile>> {
    const { knowledgeBase } = await this.retrieval.addKnowledgeFile({ id, fileId }, { caller: req.caller });
    return this.one(req.caller, knowledgeBase);
  }

  @Route(c.removeFile)
  async removeFile(
    @RouteInput() { params: { id }, body: { file_id: fileId } }: Input<typeof c.removeFile>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.removeFile>> {
    const { knowledgeBase } = await this.retrieval.removeKnowledgeFile(
      { id, fileId },
      { caller: req.caller },
    );
    return this.one(req.caller, knowledgeBase);
  }

  @Route(c.reset)
  async reset(
    @RouteInput() { params: { id } }: Input<typeof c.reset>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.reset>> {
    const { knowledgeBase } = await this.retrieval.resetKnowledgeBase({ id }, { caller: req.caller });
    return this.one(req.caller, knowledgeBase);
  }

  @Route(c.delete)
  async delete(
    @RouteInput() { params: { id } }: Input<typeof c.delete>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.delete>> {
    await this.retrieval.deleteKnowledgeBase({ id }, { caller: req.caller });
    return true;
  }
}
