import { Controller, Inject, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { z } from '../contract/zod-openapi';
import { DomainError, ErrorKind } from '@parley/errors';
import { LOGGER, Logger } from '@parley/logging';
import { DownstreamClients } from '../downstream/downstream-clients';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import type { RouteInput as Input } from '../contract/route-contract';
import { Route, RouteInput } from '../contract/route.decorator';
import { completionBody, completionsContract as c } from './completions.contract';
import { clientGone } from './client-gone';

type CompletionBody = z.infer<typeof completionBody>;

/** The stable code of an upstream failure, from the status it is answered with. */
export function upstreamErrorCode(status: number): string {
  if (status === 504) return 'UPSTREAM_TIMEOUT';
  if (status >= 400 && status < 500) return 'UPSTREAM_REJECTED';
  return 'UPSTREAM_FAILED';
}

/**
 * An upstream failure answered to an OpenAI-style client: Open WebUI's `detail` and our stable `code`
 * for its clients, and OpenAI's `error` object, which the OpenAI SDKs read for the message they throw.
 */
export function sendCompletionError(res: Response, status: number, message: string, code?: string): void {
  res.status(status).json({
    detail: message,
    code: code || upstreamErrorCode(status),
    error: { message, type: 'upstream_error', code: status },
  });
}

/** An SSE error event in the shape OpenAI's clients read (they throw on `data: {"error": ...}`), with our code. */
export function sseError(status: number, message: string, code?: string): string {
  const body = {
    error: { message, type: 'upstream_error', code: status },
    code: code || upstreamErrorCode(status),
  };
  return `data: ${JSON.stringify(body)}\n\n`;
}

/**
 * Writes SSE text to a response: the writes of one event-loop turn leave in one packet (cork until the
 * turn ends), and a reader that falls behind holds the stream back (wait for 'drain') instead of
 * filling the gateway's memory.
 */
function sseWriter(res: Response): (text: string) => Promise<void> {
  let corked = false;
  return async (text) => {
    if (!corked) {
      corked = true;
      res.cork();
      setImmediate(() => {
        corked = false;
        res.uncork();
      });
    }
    if (!res.write(text) && !res.destroyed)
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.once('drain', done);
        res.once('close', done);
      });
  };
}

/**
 * OpenAI's chat completions (Open WebUI's /api/chat/completions): JSON, or SSE `data:` chunks ending
 * with `data: [DONE]`. The status is decided by the first event from the model gateway, so a failure
 * before the first token is a real HTTP error; a failure after it is an error event at the end.
 */
@Controller()
export class CompletionsController {
  constructor(
    @Inject(DownstreamClients) private readonly downstream: DownstreamClients,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Open WebUI's answer for a chat completion: `{ status: true, task_id }` at once. */
  private async startChatTask(request: CompletionBody, req: AuthenticatedRequest) {
    if (!request.id)
      throw new DomainError(
        ErrorKind.InvalidArgument,
        'id: is required with chat_id (the id of the new answer message, e.g. a UUID made by the client)',
      );
    const reply = await this.downstream.chatTasks.startChatTask(
      {
        bodyJson: JSON.stringify(request),
        chatId: request.chat_id!,
        messageId: request.id,
        parentId: request.parent_id ?? '',
        sessionId: request.session_id ?? '',
      },
      { caller: req.caller },
    );
    return { status: true, task_id: reply.taskId };
  }

  @Route(c.create, c.createV1)
  async create(
    @RouteInput() { body: request }: Input<typeof c.create>,
    @Req() req: AuthenticatedRequest,
    @Res() res: Response,
  ): Promise<void> {
    if (request.chat_id !== undefined) {
      res.status(200).json(await this.startChatTask(request, req));
      return;
    }
    const call = { bodyJson: JSON.stringify(request) };
    const options = {
      caller: req.caller,
      deadlineMs: this.config.COMPLETION_DEADLINE_MS,
      signal: clientGone(req, res),
    };
    if (request.stream !== true) {
      const reply = await this.downstream.modelGateway.createChatCompletion(call, options);
      if (reply.result.case === 'error') {
        sendCompletionError(
          res,
          reply.result.value.httpStatus,
          reply.result.value.message,
          reply.result.value.code,
        );
        return;
      }
      res
        .status(200)
        .type('application/json')
        .send(reply.result.value ?? '{}');
      return;
    }

    const events = this.downstream.modelGateway.streamChatCompletion(call, options)[Symbol.asyncIterator]();
    const first = await events.next(); // a gRPC failure here leaves as a normal error answer
    if (!first.done && first.value.event.case === 'error') {
      sendCompletionError(
        res,
        first.value.event.value.httpStatus,
        first.value.event.value.message,
        first.value.event.value.code,
      );
      return;
    }
    res.socket?.setNoDelay(true);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
    const write = sseWriter(res);
    try {
      let next = first;
      while (!next.done) {
        const { event, last } = next.value;
        const text =
          event.case === 'chunkJson'
            ? `data: ${event.value}\n\n`
            : event.case === 'batch'
              ? event.value.chunksJson.map((c) => `data: ${c}\n\n`).join('')
              : event.case === 'error'
                ? sseError(event.value.httpStatus, event.value.message, event.value.code)
                : '';
        if (last) {
          // The model gateway says the completion has ended: the last chunks and the end of the answer
          // leave together, without waiting for the call's status (read below, off the answer's path).
          if (!res.destroyed) res.end(`${text}data: [DONE]\n\n`);
          void this.readToEnd(events);
          return;
        }
        if (text) await write(text);
        next = await events.next();
      }
    } catch (error) {
      if (res.destroyed) return;
      const message = error instanceof DomainError ? error.message : 'The completion stream failed.';
      this.logger.warn({ err: error }, 'completion stream ended with an error');
      res.write(sseError(502, message, error instanceof DomainError ? error.code : 'UPSTREAM_FAILED'));
    }
    if (!res.destroyed) res.end('data: [DONE]\n\n');
  }

  /** The rest of a stream whose answer is complete: only its status, which should be OK. */
  private async readToEnd(events: AsyncIterator<unknown>): Promise<void> {
    try {
      while (!(await events.next()).done);
    } catch (error) {
      this.logger.warn({ err: error }, 'a completion stream failed after its last message');
    }
  }
}
