import { randomUUID } from 'node:crypto';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { DomainError, ErrorKind } from '@parley/errors';
import type { Logger } from '@parley/logging';
import type { ServiceHandlers, UserCaller } from '@parley/grpc';
import { apiV1Completions, modelGatewayV1 } from '@parley/proto';
import type { DownstreamClients } from '../downstream/downstream-clients';
import { currentMessageId, parseChatDocument, parseJsonObject, roleName } from './chat-resources';
import { invalidArgument, limitText, requireText } from './request-checks';
import { userOf } from './user-of';

type CompletionMethods = typeof apiV1Completions.CompletionService extends { method: infer M } ? M : never;
type CompletionRequest = apiV1Completions.StreamCompletionRequest | apiV1Completions.CompleteRequest;
type UsageInit = MessageInitShape<typeof apiV1Completions.UsageSchema>;

const MAX_MESSAGES = 1000;
const CONTENT_MAX = 1_000_000;

/** The OpenAI chat completion body a public request stands for. */
export function completionBody(request: CompletionRequest, stream: boolean): Record<string, unknown> {
  const model = requireText('model', request.model, 500);
  if (!request.messages.length) throw invalidArgument('messages', 'is required (at least one message)');
  if (request.messages.length > MAX_MESSAGES)
    throw invalidArgument('messages', `must hold at most ${MAX_MESSAGES} messages`);
  const messages = request.messages.map((message, i) => {
    const role = roleName(message.role);
    if (!role)
      throw invalidArgument(`messages[${i}].role`, 'is required (ROLE_SYSTEM, ROLE_USER or ROLE_ASSISTANT)');
    return { role, content: limitText(`messages[${i}].content`, message.content, CONTENT_MAX) };
  });
  const p = request.parameters;
  const finite = (field: string, value: number | undefined, min: number, max: number) => {
    if (value === undefined) return undefined;
    if (!Number.isFinite(value) || value < min || value > max)
      throw invalidArgument(`parameters.${field}`, `must be between ${min} and ${max}`);
    return value;
  };
  if (p && p.stop.length > 4) throw invalidArgument('parameters.stop', 'must hold at most 4 sequences');
  p?.stop.forEach((s, i) => limitText(`parameters.stop[${i}]`, s, 200));
  const options = {
    temperature: finite('temperature', p?.temperature, 0, 2),
    top_p: finite('top_p', p?.topP, 0, 1),
    max_tokens: finite('max_tokens', p?.maxTokens, 1, 10_000_000),
    stop: p?.stop.length ? [...p.stop] : undefined,
    seed: p?.seed === undefined ? undefined : Number(p.seed),
  };
  return {
    model,
    messages,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : { stream: false }),
  };
}

/** An upstream's refusal as the status a gRPC client expects, keeping the model gateway's code. */
export function upstreamFailure(error: modelGatewayV1.UpstreamError): DomainError {
  const status = error.httpStatus;
  const kind =
    status === 400 || status === 422
      ? ErrorKind.InvalidArgument
      : status === 401 || status === 403
        ? ErrorKind.PermissionDenied
        : status === 404
          ? ErrorKind.NotFound
          : status === 429
            ? ErrorKind.RateLimited
            : status === 504
              ? ErrorKind.DeadlineExceeded
              : ErrorKind.Unavailable;
  const code =
    error.code ||
    (status === 504
      ? 'UPSTREAM_TIMEOUT'
      : status >= 400 && status < 500
        ? 'UPSTREAM_REJECTED'
        : 'UPSTREAM_FAILED');
  return new DomainError(kind, error.message || `The model's server answered ${status}.`, { code });
}

/** What one OpenAI chunk or completion contributes: text, and at the end finish reason and usage. */
function readChoice(
  json: string,
  stream: boolean,
): { text: string; finishReason?: string; usage?: UsageInit } {
  const body = parseJsonObject(json) as {
    choices?: Array<{
      delta?: { content?: unknown };
      message?: { content?: unknown };
      finish_reason?: unknown;
    }>;
    usage?: { prompt_tokens?: unknown; completion_tokens?: unknown; total_tokens?: unknown } | null;
  };
  const choice = Array.isArray(body.choices) ? body.choices[0] : undefined;
  const content = stream ? choice?.delta?.content : choice?.message?.content;
  const count = (v: unknown) =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? Math.min(v, 2 ** 31 - 1) : 0;
  return {
    text: typeof content === 'string' ? content : '',
    finishReason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : undefined,
    usage: body.usage
      ? {
          promptTokens: count(body.usage.prompt_tokens),
          completionTokens: count(body.usage.completion_tokens),
          totalTokens: count(body.usage.total_tokens),
        }
      : undefined,
  };
}

/**
 * Saves a completion's exchange in a chat the way the web app's chat tasks do: the prompt under the
 * chat's current message, the answer under it (`done: false` while it is written), then the answer's
 * text with its usage, or the text so far and the error.
 */
class ChatRecording {
  private constructor(
    private readonly downstream: DownstreamClients,
    private readonly caller: UserCaller,
    private readonly chatId: string,
    readonly messageId: string,
  ) {}

  static async start(
    downstream: DownstreamClients,
    caller: UserCaller,
    chatId: string,
    body: Record<string, unknown>,
  ): Promise<ChatRecording> {
    const chat = downstream.chat;
    const current = await chat.getChat({ chatId }, { caller });
    const prompt = (body.messages as Array<{ role: string; content: string }>).at(-1)!;
    const now = Math.floor(Date.now() / 1000);
    const asked = await chat.addMessage(
      {
        chatId,
        parentId: currentMessageId(parseChatDocument(current.chat?.chatJson ?? '')),
        messageJson: JSON.stringify({ ...prompt, models: [body.model], timestamp: now }),
      },
      { caller },
    );
    const promptId = String(parseJsonObject(asked.result?.messageJson ?? '').id ?? '');
    const answerId = randomUUID();
    await chat.addMessage(
      {
        chatId,
        parentId: promptId,
        messageJson: JSON.stringify({
          id: answerId,
          role: 'assistant',
          content: '',
          model: body.model,
          done: false,
          timestamp: now,
        }),
      },
      { caller },
    );
    return new ChatRecording(downstream, caller, chatId, answerId);
  }

  async finish(content: string, usage: UsageInit | undefined): Promise<void> {
    const data = usage
      ? {
          usage: {
            prompt_tokens: usage.promptTokens ?? 0,
            completion_tokens: usage.completionTokens ?? 0,
            total_tokens: usage.totalTokens ?? 0,
          },
        }
      : {};
    await this.downstream.chat.finishMessage(
      { chatId: this.chatId, messageId: this.messageId, content, dataJson: JSON.stringify(data) },
      { caller: this.caller },
    );
  }

  async fail(content: string, error: unknown): Promise<void> {
    const options = { caller: this.caller };
    if (content)
      await this.downstream.chat.updateMessageContent(
        { chatId: this.chatId, messageId: this.messageId, content },
        options,
      );
    const message = error instanceof DomainError ? error.message : 'The completion failed.';
    await this.downstream.chat.failMessage(
      { chatId: this.chatId, messageId: this.messageId, error: message },
      options,
    );
  }
}

/** parley.api.v1.CompletionService over the model gateway, as the calling user. */
export function completionHandlers(
  downstream: DownstreamClients,
  deadlineMs: number,
  logger: Logger,
): ServiceHandlers<CompletionMethods> {
  const start = async (request: CompletionRequest, caller: UserCaller, body: Record<string, unknown>) => {
    const chatId = limitText('chat_id', request.chatId, 200);
    return chatId ? ChatRecording.start(downstream, caller, chatId, body) : undefined;
  };
  /** The last write of a recording must not take the call down with it: the answer is already out. */
  const settle = async (recording: ChatRecording | undefined, write: (r: ChatRecording) => Promise<void>) => {
    if (!recording) return;
    try {
      await write(recording);
    } catch (error) {
      logger.warn({ err: error, messageId: recording.messageId }, 'could not save the answer in its chat');
    }
  };

  return {
    async streamCompletion(request, stream, call) {
      const caller = userOf(call);
      const body = completionBody(request, true);
      const recording = await start(request, caller, body);
      const messageId = recording?.messageId ?? '';
      let content = '';
      let finishReason = '';
      let usage: UsageInit | undefined;
      try {
        const events = downstream.modelGateway.streamChatCompletion(
          { bodyJson: JSON.stringify(body) },
          { caller, deadlineMs, signal: call.signal },
        );
        for await (const { event } of events) {
          if (event.case === 'error') throw upstreamFailure(event.value);
          const chunks =
            event.case === 'chunkJson' ? [event.value] : event.case === 'batch' ? event.value.chunksJson : [];
          let delta = '';
          for (const chunk of chunks) {
            const read = readChoice(chunk, true);
            delta += read.text;
            finishReason = read.finishReason ?? finishReason;
            usage = read.usage ?? usage;
          }
          content += delta;
          if (delta) await stream.write({ delta, messageId });
        }
      } catch (error) {
        // A caller that left keeps what was written so far, as the web app's Stop does.
        if (call.signal.aborted) await settle(recording, (r) => r.finish(content, usage));
        else await settle(recording, (r) => r.fail(content, error));
        throw error;
      }
      await settle(recording, (r) => r.finish(content, usage));
      await stream.write({ done: true, usage, finishReason, messageId });
    },

    async complete(request, call) {
      const caller = userOf(call);
      const body = completionBody(request, false);
      const recording = await start(request, caller, body);
      try {
        const reply = await downstream.modelGateway.createChatCompletion(
          { bodyJson: JSON.stringify(body) },
          { caller, deadlineMs, signal: call.signal },
        );
        if (reply.result.case === 'error') throw upstreamFailure(reply.result.value);
        const read = readChoice(reply.result.value ?? '{}', false);
        await settle(recording, (r) => r.finish(read.text, read.usage));
        return {
          content: read.text,
          usage: read.usage,
          finishReason: read.finishReason ?? '',
          messageId: recording?.messageId ?? '',
        };
      } catch (error) {
        await settle(recording, (r) => r.fail('', error));
        throw error;
      }
    },
  };
}
