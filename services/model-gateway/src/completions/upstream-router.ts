import { Inject, Injectable } from '@nestjs/common';
import { Connection } from '../connections/connection';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';
import { CircuitBreakers } from '../upstream/circuit-breaker';
import { UpstreamFailure } from '../upstream/upstream-failure';
import { ListedModel } from '../models/models.service';

export interface Candidate {
  connection: Connection;
  upstreamId: string;
}

/**
 * Picks the upstream for each attempt: among the connections serving a model, healthy ones (breaker
 * closed) first, then the one with the fewest requests in flight from this copy, ties broken at random.
 * Skips upstreams whose breaker is open.
 */
@Injectable()
export class UpstreamRouter {
  readonly breakers: CircuitBreakers;
  private readonly inFlight = new Map<string, number>();

  constructor(@Inject(MODEL_GATEWAY_CONFIG) config: ModelGatewayConfig) {
    this.breakers = new CircuitBreakers(config.UPSTREAM_FAILURE_THRESHOLD, config.UPSTREAM_COOLDOWN_MS);
  }

  /** Candidates in the order they should be tried; each is tried at most once. */
  order(model: ListedModel): Candidate[] {
    return model.servedBy
      .map((c) => ({
        c,
        closed: this.breakers.isClosed(c.connection.id),
        load: this.load(c.connection.id),
        r: Math.random(),
      }))
      .sort((a, b) => Number(b.closed) - Number(a.closed) || a.load - b.load || a.r - b.r)
      .map(({ c }) => c);
  }

  /**
   * Runs `attempt` on the candidates in order until one gets as far as its first token. A failure that
   * is the upstream's fault (unreachable, 5xx, timeout) moves on to the next; the request's own fault
   * (4xx) or a cancelled call ends at once. Returns what the successful attempt returned.
   */
  async firstThatStarts<T>(
    model: ListedModel,
    signal: AbortSignal,
    attempt: (candidate: Candidate) => Promise<T>,
  ): Promise<{ result: T; candidate: Candidate }> {
    let lastFailure: UpstreamFailure | undefined;
    for (const candidate of this.order(model)) {
      const key = candidate.connection.id;
      if (!this.breakers.tryAcquire(key)) continue;
      this.inFlight.set(key, this.load(key) + 1);
      try {
        const result = await attempt(candidate);
        return { result, candidate };
      } catch (error) {
        if (signal.aborted) {
          this.breakers.released(key);
          throw error;
        }
        if (!(error instanceof UpstreamFailure)) throw error;
        if (!error.countsAgainstUpstream) {
          this.breakers.succeeded(key);
          throw error;
        }
        this.breakers.failed(key);
        lastFailure = error;
      } finally {
        this.inFlight.set(key, this.load(key) - 1);
      }
    }
    throw (
      lastFailure ??
      new UpstreamFailure(
        502,
        `Every server for model ${model.id} is failing; this gateway skips them for a while.`,
        false,
      )
    );
  }

  /** Counts a started stream as in flight until it ends, so long answers weigh in the balancing. */
  track(connectionId: string): () => void {
    this.inFlight.set(connectionId, this.load(connectionId) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight.set(connectionId, this.load(connectionId) - 1);
    };
  }

  private load(key: string): number {
    return this.inFlight.get(key) ?? 0;
  }
}
