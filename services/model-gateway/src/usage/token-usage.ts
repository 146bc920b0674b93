/** Tokens of one completion, and whether they were estimated (the upstream reported none). */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  estimated: boolean;
}

type Json = Record<string, unknown>;

/** Roughly four characters per token, as OpenAI's rule of thumb: good enough for quotas. */
export const estimateTokens = (chars: number): number => Math.ceil(chars / 4);

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map((part) => (part && typeof (part as Json).text === 'string' ? ((part as Json).text as string) : ''))
      .join('');
  return '';
}

/** Characters of the prompt's text (every message's content). */
export function promptChars(messages: unknown): number {
  if (!Array.isArray(messages)) return 0;
  return messages.reduce<number>((sum, m) => sum + textOf((m as Json | null)?.content).length, 0);
}

/** The upstream's usage object, if it is a usable one. */
export function usageOf(value: unknown): { prompt: number; completion: number } | undefined {
  const usage = (value as Json | null)?.usage as Json | undefined;
  if (!usage || typeof usage !== 'object') return undefined;
  const prompt = Number(usage.prompt_tokens);
  const completion = Number(usage.completion_tokens);
  if (!Number.isFinite(prompt) || !Number.isFinite(completion)) return undefined;
  return { prompt: Math.max(0, Math.round(prompt)), completion: Math.max(0, Math.round(completion)) };
}

/** Usage of a non-streamed OpenAI completion: the upstream's figures, or estimates from the text. */
export function usageOfCompletion(json: string, requestMessages: unknown): TokenUsage {
  let parsed: Json | undefined;
  try {
    parsed = JSON.parse(json) as Json;
  } catch {
    parsed = undefined;
  }
  const reported = usageOf(parsed);
  if (reported)
    return { promptTokens: reported.prompt, completionTokens: reported.completion, estimated: false };
  const choices = (parsed?.choices as Json[] | undefined) ?? [];
  const chars = choices.reduce((sum, c) => sum + textOf((c?.message as Json | undefined)?.content).length, 0);
  return {
    promptTokens: estimateTokens(promptChars(requestMessages)),
    completionTokens: estimateTokens(chars),
    estimated: true,
  };
}

/** Follows a stream's chunks: keeps the last reported usage and counts the text in between. */
export class StreamUsageMeter {
  private chars = 0;
  private reported?: { prompt: number; completion: number };

  constructor(private readonly requestMessages: unknown) {}

  observe(chunkJson: string): void {
    let chunk: Json;
    try {
      chunk = JSON.parse(chunkJson) as Json;
    } catch {
      return;
    }
    this.reported = usageOf(chunk) ?? this.reported;
    for (const choice of (chunk.choices as Json[] | undefined) ?? [])
      this.chars += textOf((choice?.delta as Json | undefined)?.content).length;
  }

  result(): TokenUsage {
    if (this.reported)
      return {
        promptTokens: this.reported.prompt,
        completionTokens: this.reported.completion,
        estimated: false,
      };
    return {
      promptTokens: estimateTokens(promptChars(this.requestMessages)),
      completionTokens: estimateTokens(this.chars),
      estimated: true,
    };
  }
}
