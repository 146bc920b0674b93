/**
 * OpenAI's chat completion format to Ollama's /api/chat and back, so every client sees OpenAI's format
 * whatever serves the model.
 */

type Json = Record<string, unknown>;

const OPTION_NAMES: Record<string, string> = {
  temperature: 'temperature',
  top_p: 'top_p',
  max_tokens: 'num_predict',
  max_completion_tokens: 'num_predict',
  seed: 'seed',
  stop: 'stop',
  frequency_penalty: 'frequency_penalty',
  presence_penalty: 'presence_penalty',
};

export function toOllamaChatRequest(body: Json, upstreamModel: string, stream: boolean): Json {
  const options: Json = {};
  for (const [openai, ollama] of Object.entries(OPTION_NAMES)) {
    if (body[openai] !== undefined && body[openai] !== null) {
      options[ollama] = openai === 'stop' && typeof body.stop === 'string' ? [body.stop] : body[openai];
    }
  }
  const messages = Array.isArray(body.messages) ? (body.messages as Json[]) : [];
  const format =
    (body.response_format as { type?: string } | undefined)?.type === 'json_object' ? 'json' : undefined;
  return {
    model: upstreamModel,
    messages: messages.map(toOllamaMessage),
    stream,
    ...(Object.keys(options).length ? { options } : {}),
    ...(format ? { format } : {}),
    ...(body.tools ? { tools: body.tools } : {}),
  };
}

function toOllamaMessage(message: Json): Json {
  const content = message.content;
  if (!Array.isArray(content))
    return { role: message.role, content: typeof content === 'string' ? content : '' };
  const texts: string[] = [];
  const images: string[] = [];
  for (const part of content as Json[]) {
    if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
    const url = (part.image_url as { url?: string } | undefined)?.url;
    if (part.type === 'image_url' && typeof url === 'string') images.push(url.replace(/^data:[^,]*,/, ''));
  }
  return { role: message.role, content: texts.join('\n'), ...(images.length ? { images } : {}) };
}

export interface OllamaChunk {
  model?: string;
  message?: { role?: string; content?: string; tool_calls?: unknown[] };
  done?: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  error?: string;
}

function usageOf(chunk: OllamaChunk) {
  const prompt = chunk.prompt_eval_count ?? 0;
  const completion = chunk.eval_count ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function finishReason(chunk: OllamaChunk): string {
  if (chunk.message?.tool_calls?.length) return 'tool_calls';
  return chunk.done_reason === 'length' ? 'length' : 'stop';
}

export function fromOllamaCompletion(chunk: OllamaChunk, model: string, id: string, created: number): Json {
  return {
    id,
    object: 'chat.completion',
    created,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: chunk.message?.content ?? '',
          ...(chunk.message?.tool_calls?.length ? { tool_calls: chunk.message.tool_calls } : {}),
        },
        finish_reason: finishReason(chunk),
      },
    ],
    usage: usageOf(chunk),
  };
}

/** Turns Ollama's NDJSON lines into OpenAI chunks; the first carries the role, the last the usage. */
export class OllamaStreamTranslator {
  private first = true;

  constructor(
    private readonly model: string,
    private readonly id: string,
    private readonly created: number,
  ) {}

  translate(chunk: OllamaChunk): Json {
    const delta: Json = {};
    if (this.first) delta.role = 'assistant';
    this.first = false;
    if (chunk.message?.content) delta.content = chunk.message.content;
    if (chunk.message?.tool_calls?.length) delta.tool_calls = chunk.message.tool_calls;
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, finish_reason: chunk.done ? finishReason(chunk) : null }],
      ...(chunk.done ? { usage: usageOf(chunk) } : {}),
    };
  }
}
