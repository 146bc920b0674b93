import { Controller, Inject, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { DomainError, ErrorKind } from '@parley/errors';
import { modelGatewayV1 } from '@parley/proto';
import { clientGone } from '../completions/client-gone';
import { sendCompletionError } from '../completions/completions.controller';
import { Route } from '../contract/route.decorator';
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
      : Buffer.alloc(0);
    const stream = this.downstream.modelGateway.proxyUpstream(
      {
        kind,
        method: req.method,
        path,
        body,
        contentType: hasBody ? 'application/json' : '',
      },
      { caller: req.caller, deadlineMs: this.config.COMPLETION_DEADLINE_MS, signal: clientGone(req, res) },
    );
    const events = stream[Symbol.asyncIterator]();
    const first = await events.next();
    if (first.done) throw new DomainError(ErrorKind.Unavailable, 'The model gateway sent no answer.');
    const part = first.value.part;
    if (part.case === 'error') {
      sendCompletionError(res, part.value.httpStatus, part.value.message, part.value.code);
      return;
    }
    if (part.case !== 'head')
      throw new DomainError(ErrorKind.Unavailable, 'The model gateway answered out of order.');
    res.socket?.setNoDelay(true);
    res.writeHead(part.value.status, { 'content-type': part.value.contentType || 'application/json' });
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
  }
}
