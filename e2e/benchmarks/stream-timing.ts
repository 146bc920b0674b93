import { deltaContent, sseJsonEvents } from './sse-events';

/** When the first and each later answer token of one streamed completion arrived, and when it ended. */
export interface StreamResult {
  ttftMs: number;
  gapsMs: number[];
  tokens: number;
  /** From the last answer token's bytes to the end of the stream (what the server does after it). */
  tailMs: number;
}

/**
 * Times a stream of answer pieces: `pieces` yields each piece's text (empty ones do not count) with the
 * time its bytes arrived, from a stream started at `started` (performance.now()).
 */
export async function timeTokens(
  started: number,
  pieces: AsyncIterable<{ text: string; at: number }>,
): Promise<StreamResult> {
  let tokens = 0;
  let ttftMs = 0;
  let last = 0;
  const gapsMs: number[] = [];
  for await (const { text, at } of pieces) {
    if (!text) continue;
    tokens++;
    if (tokens === 1) ttftMs = at - started;
    else gapsMs.push(at - last);
    last = at;
  }
  // The pieces end when the stream has: everything after the last token is the server's tail.
  return { ttftMs, gapsMs, tokens, tailMs: tokens ? performance.now() - last : 0 };
}

/** One streamed OpenAI-style completion over HTTP, read as raw SSE. */
export async function streamSseOnce(
  target: { url: string; headers: Record<string, string> },
  model: string,
): Promise<StreamResult> {
  const started = performance.now();
  const res = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'Count.' }] }),
    signal: AbortSignal.timeout(120_000),
  });
  if (res.status !== 200 || !res.body) throw new Error(`HTTP ${res.status}`);
  return timeTokens(
    started,
    (async function* () {
      for await (const { data, at } of sseJsonEvents(res.body!)) yield { text: deltaContent(data), at };
    })(),
  );
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
