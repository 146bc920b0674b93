import { Controller, Inject, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { DomainError, ErrorKind } from '@parley/errors';
import { modelGatewayV1 } from '@parley/proto';
import { clientGone } from '../completions/client-gone';
import { sendCompletionError } from '../completions/completions.controller';
import type { RouteInput as Input } from '../contract/route-contract';
import { Route, RouteInput } from '../contract/route.decorator';
import { DownstreamClients } from '../downstream/downstream-clients';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { checkUpstreamPath } from '../security/upstream-path';
import { upstreamProxyContract as c } from './upstream-proxy.contract';

const { ConnectionKind } = modelGatewayV1;

/**
 * Open WebUI's pass-through to the upstreams, with the upstream key added by the model gateway:
 * /ollama/api/tags, /ollama/api/version and the model-routed /ollama/api/{chat,generate,show,embed} for
 * every signed-in user; the rest of /ollama/* (pull, push, create, copy, delete, ps) for admins only;
 * /openai/* for every signed-in user (model-routed when the body names a model), as in Open WebUI.
 */
@Controller()
export class UpstreamProxyController {
  constructor(
    @Inject(DownstreamClients) private readonly downstream: DownstreamClients,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Route(c.ollamaTags, c.ollamaVersion)
  ollamaLists(@Req() req: AuthenticatedRequest, @Res() res: Response) {
    return this.pass(ConnectionKind.OLLAMA, 'ollama', req, res);
  }

  @Route(c.ollamaChat, c.ollamaGenerate, c.ollamaShow, c.ollamaEmbed, c.ollamaEmbeddings)
  ollamaModelCalls(@Req() req: AuthenticatedRequest, @Res() res: Response) {
    return this.pass(ConnectionKind.OLLAMA, 'ollama', req, res);
  }

  /**
   * Open WebUI implements unload itself (Ollama has no such route): a generate call with keep_alive 0
   * makes Ollama drop the model from memory. The model gateway routes it to the model's connection.
   */
  @Route(c.ollamaUnload)
  async ollamaUnload(
    @RouteInput() { body }: Input<typeof c.ollamaUnload>,
    @Req() req: AuthenticatedRequest,
    @Res() res: Response,
  ): Promise<void> {
    const model = body.model || body.name;
    if (!model) throw new DomainError(ErrorKind.InvalidArgument, 'Missing name of the model to unload.');
    const answer = await this.relay(
      ConnectionKind.OLLAMA,
      'api/generate',
      Buffer.from(JSON.stringify({ model, keep_alive: 0, prompt: '' })),
      req,
      res,
      { buffer: true },
    );
    if (!answer) return;
    if (answer.status >= 400) {
      res.status(answer.status).type(answer.contentType).send(answer.body);
      return;
    }
    res.status(200).json({ status: true });
  }

  /** Open WebUI downloads GGUF files from Hugging Face and uploads them to Ollama; Parley keeps no model files. */
  @Route(c.ollamaModelFiles)
  ollamaModelFiles(@RouteInput() _input: Input<typeof c.ollamaModelFiles>, @Res() res: Response): void {
    res.status(404).json({
      detail:
        'Parley does not download or upload model files; pull the model with /ollama/api/pull or on the Ollama server.',
      code: 'NOT_OFFERED',
    });
  }

  @Route(c.ollamaAdmin)
  ollamaAdmin(@Req() req: AuthenticatedRequest, @Res() res: Response) {
    return this.pass(ConnectionKind.OLLAMA, 'ollama', req, res);
  }

  @Route(c.openai)
  openai(@Req() req: AuthenticatedRequest, @Res() res: Response) {
    return this.pass(ConnectionKind.OPENAI, 'openai', req, res);
  }

  private async pass(
    kind: modelGatewayV1.ConnectionKind,
    prefix: 'openai' | 'ollama',
    req: AuthenticatedRequest,
    res: Response,
  ): Promise<void> {
    const rest = req.originalUrl.slice(req.originalUrl.indexOf(`/${prefix}/`) + prefix.length + 2);
    const queryAt = rest.indexOf('?');
    const checked = checkUpstreamPath(prefix, queryAt < 0 ? rest : rest.slice(0, queryAt));
    if (!checked.ok) {
      res.status(checked.status).json({
        detail: checked.detail,
        code: checked.status === 404 ? 'NOT_AN_UPSTREAM_PATH' : 'INVALID_UPSTREAM_PATH',
      });
      return;
    }
    const path = queryAt < 0 ? checked.path : checked.path + rest.slice(queryAt);
    const hasBody = req.body !== undefined && req.method !== 'GET' && req.method !== 'HEAD';
    const body = hasBody
      ? Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body))
      : undefined;
    await this.relay(kind, path, body, req, res);
  }

  /**
   * One call through the model gateway's pass-through. Streams the upstream's answer to `res`, or with
   * `buffer` collects it and hands it back (an error of the model gateway itself is sent either way).
   */
  private async relay(
    kind: modelGatewayV1.ConnectionKind,
    path: string,
    body: Buffer | undefined,
    req: AuthenticatedRequest,
    res: Response,
    { buffer = false } = {},
  ): Promise<{ status: number; contentType: string; body: Buffer } | undefined> {
    const stream = this.downstream.modelGateway.proxyUpstream(
      {
        kind,
        method: req.method,
        path,
        body: body ?? Buffer.alloc(0),
        contentType: body ? 'application/json' : '',
      },
      { caller: req.caller, deadlineMs: this.config.COMPLETION_DEADLINE_MS, signal: clientGone(req, res) },
    );
    const events = stream[Symbol.asyncIterator]();
    const first = await events.next();
    if (first.done) throw new DomainError(ErrorKind.Unavailable, 'The model gateway sent no answer.');
    const part = first.value.part;
    if (part.case === 'error') {
      sendCompletionError(res, part.value.httpStatus, part.value.message, part.value.code);
      return undefined;
    }
    if (part.case !== 'head')
      throw new DomainError(ErrorKind.Unavailable, 'The model gateway answered out of order.');
    const contentType = part.value.contentType || 'application/json';
    if (buffer) {
      const chunks: Uint8Array[] = [];
      for (let next = await events.next(); !next.done; next = await events.next()) {
        const piece = next.value.part;
        if (piece.case === 'chunk') chunks.push(piece.value);
        else if (piece.case === 'error')
          throw new DomainError(ErrorKind.Unavailable, 'The upstream broke off its answer.');
      }
      return { status: part.value.status, contentType, body: Buffer.concat(chunks) };
    }
    res.socket?.setNoDelay(true);
    res.writeHead(part.value.status, { 'content-type': contentType });
    try {
      for (let next = await events.next(); !next.done; next = await events.next()) {
        const piece = next.value.part;
        if (piece.case === 'chunk') res.write(piece.value);
        else if (piece.case === 'error') return void res.destroy(); // the upstream broke: so does this stream
      }
      res.end();
    } catch {
      res.destroy();
    }
    return undefined;
  }
}
