import { Controller, Inject, Req } from '@nestjs/common';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { DomainError, ErrorKind } from '@parley/errors';
import type { promptsV1 } from '@parley/proto';
import type { RouteInput as Input, RouteResult as Result } from '../contract/route-contract';
import { Route, RouteInput } from '../contract/route.decorator';
import { DownstreamClients } from '../downstream/downstream-clients';
import { ModelCatalogClients } from '../presets/model-catalog-clients';
import { publicProfiles } from '../users/public-profiles';
import { promptInput, promptJson } from './prompt-json';
import { promptsContract as c } from './prompts.contract';

const one = (p: promptsV1.Prompt | undefined) => {
  if (!p) throw new DomainError(ErrorKind.Internal, 'The model gateway sent no prompt.');
  return promptJson(p);
};

/**
 * Open WebUI's prompt routes (workspace prompts, the composer's "/"). Who may create (workspace.prompts),
 * read and edit what is decided in the model gateway, from the request's caller.
 */
@Controller()
export class PromptsController {
  constructor(
    @Inject(ModelCatalogClients) private readonly clients: ModelCatalogClients,
    @Inject(DownstreamClients) private readonly downstream: DownstreamClients,
  ) {}

  @Route(c.list)
  async list(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.list>> {
    return (await this.clients.prompts.listPrompts({}, { caller: req.caller })).prompts.map(promptJson);
  }

  /** Open WebUI's /list: what the caller may change, each with its owner's name and picture. */
  @Route(c.listWritable)
  async listWritable(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.listWritable>> {
    const { prompts } = await this.clients.prompts.listPrompts(
      { writableOnly: true },
      { caller: req.caller },
    );
    const owners = await publicProfiles(
      this.downstream.auth,
      req.caller,
      prompts.map((p) => p.userId),
    );
    return prompts.map((p) => ({ ...promptJson(p), user: owners.get(p.userId) ?? null }));
  }

  @Route(c.create)
  async create(
    @RouteInput() { body }: Input<typeof c.create>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.create>> {
    const { prompt } = await this.clients.prompts.createPrompt(
      { prompt: promptInput(body) },
      { caller: req.caller },
    );
    return one(prompt);
  }

  @Route(c.get)
  async get(
    @RouteInput() { params }: Input<typeof c.get>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.get>> {
    const { prompt } = await this.clients.prompts.getPrompt(
      { command: params.command },
      { caller: req.caller },
    );
    return one(prompt);
  }

  @Route(c.update)
  async update(
    @RouteInput() { params, body }: Input<typeof c.update>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.update>> {
    const { prompt } = await this.clients.prompts.updatePrompt(
      { command: params.command, prompt: promptInput(body) },
      { caller: req.caller },
    );
    return one(prompt);
  }

  @Route(c.delete)
  async delete(
    @RouteInput() { params }: Input<typeof c.delete>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.delete>> {
    await this.clients.prompts.deletePrompt({ command: params.command }, { caller: req.caller });
    return true;
  }
}
