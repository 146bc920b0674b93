/**
 * The JSON `data:` events of a streamed OpenAI-style answer, each with the time (performance.now()) its
 * bytes arrived; `data: [DONE]` and other lines are skipped.
 */
export async function* sseJsonEvents<T = Record<string, unknown>>(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<{ data: T; at: number }> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const bytes of body as unknown as AsyncIterable<Uint8Array>) {
    const at = performance.now();
    pending += decoder.decode(bytes, { stream: true });
    const events = pending.split('\n\n');
    pending = events.pop() ?? '';
    for (const event of events) {
      if (event.startsWith('data: {')) yield { data: JSON.parse(event.slice(6)) as T, at };
    }
  }
}

/** The answer text of one streamed chunk ("" for none). */
export const deltaContent = (data: object): string =>
  (data as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta?.content ?? '';
