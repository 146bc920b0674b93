import { Controller, Get, Inject, Req } from '@nestjs/common';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { modelGatewayV1 } from '@parley/proto';
import { callerOf } from '../completions/caller';
import { DownstreamClients } from '../downstream/downstream-clients';

/** A model in Open WebUI's /api/models shape (OpenAI's model object plus where it comes from). */
export function modelJson(model: modelGatewayV1.Model) {
  const ollama = model.kind === modelGatewayV1.ConnectionKind.OLLAMA;
  let upstream: unknown = {};
  try {
    upstream = JSON.parse(model.upstreamJson);
  } catch {
    // leave it empty
  }
  return {
    id: model.id,
    name: model.name,
    object: 'model',
    created: Number(model.created),
    owned_by: ollama ? 'ollama' : 'openai',
    connection_type: ollama ? 'local' : 'external',
    ...(ollama
      ? { ollama: upstream, urls: model.urlIndexes }
      : { openai: upstream, urlIdx: model.urlIndexes[0] ?? 0 }),
  };
}

/** Open WebUI's model list: every connection's models, merged; a dead upstream is left out, not waited for. */
@Controller()
export class ModelsController {
  constructor(@Inject(DownstreamClients) private readonly downstream: DownstreamClients) {}

  @Get(['api/models', 'api/v1/models'])
  async list(@Req() req: AuthenticatedRequest) {
    const reply = await this.downstream.modelGateway.listModels({ caller: callerOf(req) });
    return { object: 'list', data: reply.models.map(modelJson) };
  }
}
