/**
 * Per-upstream circuit breakers of this copy. After `threshold` failures in a row an upstream is skipped
 * for `cooldownMs`; then one trial request goes through (half-open): success closes the breaker, failure
 * opens it for another cooldown. In memory on purpose: each copy learns from its own traffic in a few
 * requests, and a shared breaker would turn one copy's network trouble into everyone's outage.
 */
export class CircuitBreakers {
  private readonly states = new Map<
    string,
    { failures: number; openUntil: number; trialInFlight: boolean }
  >();

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a request may go to this upstream now; in half-open state this claims the one trial. */
  tryAcquire(key: string): boolean {
    const state = this.states.get(key);
    if (!state || state.failures < this.threshold) return true;
    if (this.now() < state.openUntil || state.trialInFlight) return false;
    state.trialInFlight = true;
    return true;
  }

  /** Whether the breaker is closed (no trial claimed): for ordering candidates. */
  isClosed(key: string): boolean {
    const state = this.states.get(key);
    return !state || state.failures < this.threshold;
  }

  succeeded(key: string): void {
    this.states.delete(key);
  }

  failed(key: string): void {
    const state = this.states.get(key) ?? { failures: 0, openUntil: 0, trialInFlight: false };
    state.failures++;
    state.trialInFlight = false;
    if (state.failures >= this.threshold) state.openUntil = this.now() + this.cooldownMs;
    this.states.set(key, state);
  }

  /** Releases a claimed trial that ended without a verdict (the caller cancelled). */
  released(key: string): void {
    const state = this.states.get(key);
    if (state) state.trialInFlight = false;
  }
}
