import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AdminOnly, AuthenticatedRequest } from '@parley/auth-guard';
import { z } from '@parley/config';
import { modelGatewayV1 } from '@parley/proto';
import { DownstreamClients } from '../downstream/downstream-clients';
import { parseBody } from '../validation/parse-body';
import { upstreamErrorCode } from '../completions/completions.controller';

const { ConnectionKind } = modelGatewayV1;

const apiConfig = z
  .object({
    enable: z.boolean().optional(),
    prefix_id: z.string().max(64).optional().nullable(),
    model_ids: z.array(z.string().max(256)).max(1_000).optional(),
    key: z.string().max(4_096).optional(),
  })
  .passthrough();
const urls = z.array(z.string().max(2_048), { invalid_type_error: 'must be a list of URLs' }).max(100);
const configs = z
  .record(apiConfig, { invalid_type_error: 'must be an object keyed by position' })
  .default({});

const openAiForm = z.object({
  ENABLE_OPENAI_API: z.boolean().optional().nullable(),
  OPENAI_API_BASE_URLS: urls,
  OPENAI_API_KEYS: z.array(z.string().max(4_096)).max(100).default([]),
  OPENAI_API_CONFIGS: configs,
});
const ollamaForm = z.object({
  ENABLE_OLLAMA_API: z.boolean().optional().nullable(),
  OLLAMA_BASE_URLS: urls,
  OLLAMA_API_CONFIGS: configs,
});
const verifyForm = z.object({
  url: z.string().min(1, 'must not be empty').max(2_048),
  key: z.string().max(4_096).default(''),
});

type View = { enabled: boolean; connections: modelGatewayV1.ConnectionConfig[] };

function openAiJson(view: View) {
  return {
    ENABLE_OPENAI_API: view.enabled,
    OPENAI_API_BASE_URLS: view.connections.map((c) => c.baseUrl),
    OPENAI_API_KEYS: view.connections.map((c) => c.apiKey),
    OPENAI_API_CONFIGS: Object.fromEntries(
      view.connections.map((c, i) => [
        String(i),
        { enable: c.enable, prefix_id: c.prefixId, model_ids: c.modelIds },
      ]),
    ),
  };
}

function ollamaJson(view: View) {
  return {
    ENABLE_OLLAMA_API: view.enabled,
    OLLAMA_BASE_URLS: view.connections.map((c) => c.baseUrl),
    OLLAMA_API_CONFIGS: Object.fromEntries(
      view.connections.map((c, i) => [
        String(i),
        {
          enable: c.enable,
          prefix_id: c.prefixId,
          model_ids: c.modelIds,
          ...(c.apiKey ? { key: c.apiKey } : {}),
        },
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
@AdminOnly()
export class ConnectionsConfigController {
  constructor(@Inject(DownstreamClients) private readonly downstream: DownstreamClients) {}

  @Get('openai/config')
  async openAiConfig(@Req() req: AuthenticatedRequest) {
    return openAiJson(
      await this.downstream.modelGateway.getConnectionsConfig(
        { kind: ConnectionKind.OPENAI },
        { caller: req.caller },
      ),
    );
  }

  @Post('openai/config/update')
  @HttpCode(200)
  async updateOpenAi(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const form = parseBody(openAiForm, body);
    const connections = form.OPENAI_API_BASE_URLS.map((baseUrl, i) => {
      const config = form.OPENAI_API_CONFIGS[String(i)] ?? {};
      return {
        baseUrl,
        apiKey: form.OPENAI_API_KEYS[i] ?? '',
        enable: config.enable ?? true,
        prefixId: config.prefix_id ?? '',
        modelIds: config.model_ids ?? [],
      };
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

  @Get('ollama/config')
  async ollamaConfig(@Req() req: AuthenticatedRequest) {
    return ollamaJson(
      await this.downstream.modelGateway.getConnectionsConfig(
        { kind: ConnectionKind.OLLAMA },
        { caller: req.caller },
      ),
    );
  }

  @Post('ollama/config/update')
  @HttpCode(200)
  async updateOllama(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const form = parseBody(ollamaForm, body);
    const connections = form.OLLAMA_BASE_URLS.map((baseUrl, i) => {
      const config = form.OLLAMA_API_CONFIGS[String(i)] ?? {};
      return {
        baseUrl,
        apiKey: config.key ?? '',
        enable: config.enable ?? true,
        prefixId: config.prefix_id ?? '',
        modelIds: config.model_ids ?? [],
      };
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

  @Post('openai/verify')
  @HttpCode(200)
  verifyOpenAi(@Body() body: unknown, @Req() req: AuthenticatedRequest, @Res() res: Response) {
    return this.verify(ConnectionKind.OPENAI, body, req, res);
  }

  @Post('ollama/verify')
  @HttpCode(200)
  verifyOllama(@Body() body: unknown, @Req() req: AuthenticatedRequest, @Res() res: Response) {
    return this.verify(ConnectionKind.OLLAMA, body, req, res);
  }

  private async verify(
    kind: modelGatewayV1.ConnectionKind,
    body: unknown,
    req: AuthenticatedRequest,
    res: Response,
  ): Promise<void> {
    const form = parseBody(verifyForm, body);
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
