/**
 * The readiness checks of a process: one per dependency it cannot work without (PostgreSQL, Redis,
 * NATS, a downstream gRPC service). Liveness only says the event loop turns; readiness says the copy
 * can do its work now, and turns false while it drains so load balancers stop sending it traffic.
 */
export type HealthCheck = () => Promise<boolean> | boolean;

export interface ReadinessReport {
  ready: boolean;
  draining: boolean;
  checks: Record<string, 'up' | 'down'>;
}

export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheck>();
  private draining = false;

  constructor(private readonly checkTimeoutMs = 1_500) {}

  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  startDraining(): void {
    this.draining = true;
  }

  isDraining(): boolean {
    return this.draining;
  }

  async readiness(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks.entries()].map(
        async ([name, check]) => [name, (await this.runCheck(check)) ? 'up' : 'down'] as const,
      ),
    );
    const checks = Object.fromEntries(entries) as Record<string, 'up' | 'down'>;
    const ready = !this.draining && entries.every(([, state]) => state === 'up');
    return { ready, draining: this.draining, checks };
  }

  private async runCheck(check: HealthCheck): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        Promise.resolve().then(check),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), this.checkTimeoutMs);
        }),
      ]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
