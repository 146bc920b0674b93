import { Controller, Get, Header, HttpStatus, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { metricsRegistry } from '@parley/telemetry';
import { HealthRegistry } from './health-registry';
import { Public } from './public.decorator';

@Public()
@Controller()
export class HealthController {
  constructor(@Inject(HealthRegistry) private readonly health: HealthRegistry) {}

  /** Open WebUI's health path; the same as liveness. */
  @Get('health')
  health_(): { status: boolean } {
    return { status: true };
  }

  @Get('health/live')
  live(): { status: boolean } {
    return { status: true };
  }

  @Get('health/ready')
  async ready(@Res() res: Response): Promise<void> {
    const report = await this.health.readiness();
    if (report.ready) {
      res.status(HttpStatus.OK).json({ status: true, ...report });
      return;
    }
    const down = Object.entries(report.checks)
      .filter(([, state]) => state === 'down')
      .map(([name]) => name);
    const detail = report.draining ? 'shutting down' : `not ready: ${down.join(', ')} unreachable`;
    res.status(HttpStatus.SERVICE_UNAVAILABLE).json({ status: false, detail, ...report });
  }

  @Get('metrics')
  @Header('Content-Type', metricsRegistry.contentType)
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
