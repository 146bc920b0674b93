import { Controller, Inject, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { modelGatewayV1 } from '@parley/proto';
import { DownstreamClients } from '../downstream/downstream-clients';
import type { RouteInput as Input, RouteResult as Result } from '../contract/route-contract';
import { Route, RouteInput } from '../contract/route.decorator';
import { upstreamErrorCode } from '../completions/completions.controller';
import { connectionsConfigContract as c } from './connections-config.contract';

const { ConnectionKind } = modelGatewayV1;

type View = { enabled: boolean; connections: modelGatewayV1.ConnectionConfig[] };
type FormConfig = {
  enable?: boolean;
  prefix_id?: string | null;
  model_ids?: string[];
  tags?: Array<string | { name: string }>;
  connection_type?: 'external' | 'local';
};

/** The per-connection settings both kinds share, as the model gateway takes them. */
function fromForm(config: FormConfig) {
  return {
    enable: config.enable ?? true,
    prefixId: config.prefix_id ?? '',
    modelIds: config.model_ids ?? [],
    tags: (config.tags ?? []).map((tag) => (typeof tag === 'string' ? tag : tag.name)),
    connectionType: config.connection_type ?? '',
  };
}

/** Open WebUI's api_configs entry of one connection. */
function configJson(c: modelGatewayV1.ConnectionConfig) {
  return {
    enable: c.enable,
    prefix_id: c.prefixId,
    model_ids: c.modelIds,
    tags: c.tags.map((name) => ({ name })),
    connection_type: c.connectionType === 'local' ? ('local' as const) : ('external' as const),
  };
}

function openAiJson(view: View) {
  return {
    ENABLE_OPENAI_API: view.enabled,
    OPENAI_API_BASE_URLS: view.connections.map((c) => c.baseUrl),
    OPENAI_API_KEYS: view.connections.map((c) => c.apiKey),
    OPENAI_API_CONFIGS: Object.fromEntries(view.connections.map((c, i) => [String(i), configJson(c)])),
  };
}

function ollamaJson(view: View) {
  return {
    ENABLE_OLLAMA_API: view.enabled,
    OLLAMA_BASE_URLS: view.connections.map((c) => c.baseUrl),
    OLLAMA_API_CONFIGS: Object.fromEntries(
      view.connections.map((c, i) => [
        String(i),
        { ...configJson(c), ...(c.apiKey ? { key: c.apiKey } : {}) },
      ]),
    ),
  };
}

/**
 * Open WebUI's admin connection settings: GET /openai/config, POST /openai/config/update, POST
 * /openai/verify, and the same under /ollama. Keys are masked when read; sending a masked key back keeps
 * the stored one.
 */
@Controller()
export class ConnectionsConfigController {
  constructor(@Inject(DownstreamClients) private readonly downstream: DownstreamClients) {}

  @Route(c.openAiConfig)
  async openAiConfig(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.openAiConfig>> {
    return openAiJson(
      await this.downstream.modelGateway.getConnectionsConfig(
        { kind: ConnectionKind.OPENAI },
        { caller: req.caller },
      ),
    );
  }

  @Route(c.updateOpenAi)
  async updateOpenAi(
    @RouteInput() { body: form }: Input<typeof c.updateOpenAi>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.updateOpenAi>> {
    const connections = form.OPENAI_API_BASE_URLS.map((baseUrl, i) => {
      const config = form.OPENAI_API_CONFIGS[String(i)] ?? {};
      return { baseUrl, apiKey: form.OPENAI_API_KEYS[i] ?? '', ...fromForm(config) };
    });
    return openAiJson(
      await this.downstream.modelGateway.updateConnectionsConfig(
        {
          kind: ConnectionKind.OPENAI,
          connections,
          ...(typeof form.ENABLE_OPENAI_API === 'boolean' ? { enabled: form.ENABLE_OPENAI_API } : {}),
        },
        { caller: req.caller },
      ),
    );
  }

  @Route(c.ollamaConfig)
  async ollamaConfig(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.ollamaConfig>> {
    return ollamaJson(
      await this.downstream.modelGateway.getConnectionsConfig(
        { kind: ConnectionKind.OLLAMA },
        { caller: req.caller },
      ),
    );
  }

  @Route(c.updateOllama)
  async updateOllama(
    @RouteInput() { body: form }: Input<typeof c.updateOllama>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.updateOllama>> {
    const connections = form.OLLAMA_BASE_URLS.map((baseUrl, i) => {
      const config = form.OLLAMA_API_CONFIGS[String(i)] ?? {};
      return { baseUrl, apiKey: config.key ?? '', ...fromForm(config) };
    });
    return ollamaJson(
      await this.downstream.modelGateway.updateConnectionsConfig(
        {
          kind: ConnectionKind.OLLAMA,
          connections,
          ...(typeof form.ENABLE_OLLAMA_API === 'boolean' ? { enabled: form.ENABLE_OLLAMA_API } : {}),
        },
        { caller: req.caller },
      ),
    );
  }

  @Route(c.verifyOpenAi)
  verifyOpenAi(
    @RouteInput() { body }: Input<typeof c.verifyOpenAi>,
    @Req() req: AuthenticatedRequest,
    @Res() res: Response,
  ) {
    return this.verify(ConnectionKind.OPENAI, body, req, res);
  }

  @Route(c.verifyOllama)
  verifyOllama(
    @RouteInput() { body }: Input<typeof c.verifyOllama>,
    @Req() req: AuthenticatedRequest,
    @Res() res: Response,
  ) {
    return this.verify(ConnectionKind.OLLAMA, body, req, res);
  }

  private async verify(
    kind: modelGatewayV1.ConnectionKind,
    form: Input<typeof c.verifyOpenAi>['body'],
    req: AuthenticatedRequest,
    res: Response,
  ): Promise<void> {
    const reply = await this.downstream.modelGateway.verifyConnection(
      {
        kind,
        baseUrl: form.url,
        apiKey: form.key,
      },
      { caller: req.caller },
    );
    if (reply.result.case === 'error') {
      res.status(reply.result.value.httpStatus).json({
        detail: reply.result.value.message,
        code: reply.result.value.code || upstreamErrorCode(reply.result.value.httpStatus),
      });
      return;
    }
    res
      .status(200)
      .type('application/json')
      .send(reply.result.value ?? '{}');
  }
}
