import { Controller, Inject, Req } from '@nestjs/common';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { DomainError, ErrorKind } from '@parley/errors';
import type { UserCaller } from '@parley/grpc';
import type { RouteInput as Input, RouteResult as Result } from '../contract/route-contract';
import { Route, RouteInput } from '../contract/route.decorator';
import { DownstreamClients } from '../downstream/downstream-clients';
import { indexStateName } from '../knowledge/knowledge-json';
import { retrievalContract as c } from './retrieval.contract';
import {
  collectionTarget,
  configJson,
  embeddingJson,
  fileIdOf,
  fileTarget,
  queryResultJson,
  searchOptionsOf,
  settingsWithConfig,
  settingsWithEmbedding,
  type ConfigForm,
  type Settings,
} from './retrieval-json';

/** IndexText answers once the text is searchable: a long text with embeddings takes a while. */
const INDEX_TEXT_DEADLINE_MS = 120_000;

/**
 * Open WebUI's retrieval routes. Who may search what is the retrieval service's decision (a file or
 * knowledge base the caller may not read is a 404); the settings routes are for admins, here and there.
 */
@Controller()
export class RetrievalController {
  constructor(@Inject(DownstreamClients) private readonly downstream: DownstreamClients) {}

  private get retrieval() {
    return this.downstream.retrieval;
  }

  @Route(c.queryDoc)
  async queryDoc(
    @RouteInput() { body }: Input<typeof c.queryDoc>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.queryDoc>> {
    const answer = await this.retrieval.search(
      { ...searchOptionsOf(body), targets: [fileTarget(body.collection_name)] },
      { caller: req.caller },
    );
    return queryResultJson(answer);
  }

  @Route(c.queryCollection)
  async queryCollection(
    @RouteInput() { body }: Input<typeof c.queryCollection>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.queryCollection>> {
    const answer = await this.retrieval.search(
      { ...searchOptionsOf(body), targets: [...new Set(body.collection_names)].map(collectionTarget) },
      { caller: req.caller },
    );
    return queryResultJson(answer);
  }

  @Route(c.processText)
  async processText(
    @RouteInput() { body }: Input<typeof c.processText>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.processText>> {
    const answer = await this.retrieval.indexText(
      { name: body.name, content: body.content },
      { caller: req.caller, deadlineMs: INDEX_TEXT_DEADLINE_MS },
    );
    if (indexStateName(answer.status?.state) === 'failed')
      throw new DomainError(
        ErrorKind.Unavailable,
        `The text was not indexed: ${answer.status?.error || 'unknown error'}`,
        {
          code: 'INDEXING_FAILED',
        },
      );
    return { status: true, collection_name: `file-${answer.sourceId}`, content: body.content };
  }

  @Route(c.processFile)
  async processFile(
    @RouteInput() { body }: Input<typeof c.processFile>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.processFile>> {
    const caller = req.caller;
    const fileId = fileIdOf(body.file_id);
    const { file } = await this.downstream.files.getFile({ fileId }, { caller });
    const { status } = await this.retrieval.indexFile({ fileId }, { caller });
    const name = body.collection_name;
    // A collection that is not the file's own is a knowledge base to put the file in.
    if (name && fileIdOf(name) !== fileId)
      await this.retrieval.addKnowledgeFile({ id: name, fileId }, { caller });
    return {
      status: true,
      collection_name: name ?? `file-${fileId}`,
      filename: file?.filename ?? '',
      index_status: indexStateName(status?.state),
    };
  }

  private async settingsNow(caller: UserCaller) {
    return this.retrieval.getSettings({}, { caller });
  }

  /** Reads the settings, applies `change` and saves them (UpdateSettings replaces them whole). */
  private async changeSettings(caller: UserCaller, change: (now: Settings) => Settings) {
    const { settings } = await this.settingsNow(caller);
    if (!settings) throw new DomainError(ErrorKind.Internal, 'The retrieval service sent no settings.');
    return this.retrieval.updateSettings({ settings: change(settings) }, { caller });
  }

  private async saveConfig(caller: UserCaller, form: ConfigForm) {
    return configJson(await this.changeSettings(caller, (now) => settingsWithConfig(now, form)));
  }

  @Route(c.getConfig)
  async getConfig(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.getConfig>> {
    return configJson(await this.settingsNow(req.caller));
  }

  @Route(c.setConfig)
  async setConfig(
    @RouteInput() { body }: Input<typeof c.setConfig>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.setConfig>> {
    return this.saveConfig(req.caller, body);
  }

  @Route(c.updateConfig)
  async updateConfig(
    @RouteInput() { body }: Input<typeof c.updateConfig>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.updateConfig>> {
    return this.saveConfig(req.caller, body);
  }

  @Route(c.getEmbedding)
  async getEmbedding(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.getEmbedding>> {
    return embeddingJson(await this.settingsNow(req.caller));
  }

  @Route(c.updateEmbedding)
  async updateEmbedding(
    @RouteInput() { body }: Input<typeof c.updateEmbedding>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.updateEmbedding>> {
    return embeddingJson(await this.changeSettings(req.caller, (now) => settingsWithEmbedding(now, body)));
  }
}
