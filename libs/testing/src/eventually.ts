/**
 * Polls `probe` until it gives a value (not undefined), for state another process reaches a moment
 * later (usage written by a copy's next flush, a cache refreshed by an event); throws after
 * `timeoutMs` naming `what`. Waits on observable state, never on a guessed delay.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
