import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { AuditLevel } from './audit-record';
import { AuditSink, createAuditSink } from './audit-sink';

/**
 * The gateway's one audit sink (AUDIT_LOG_LEVEL; NONE writes nothing), shared by the REST middleware and
 * the public gRPC API, so both write the same lines to the same stdout or rotated file.
 */
@Injectable()
export class AuditLog implements OnModuleDestroy {
  readonly level: AuditLevel;
  readonly maxBodySize: number;
  private readonly sink?: AuditSink;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.level = config.AUDIT_LOG_LEVEL;
    this.maxBodySize = config.AUDIT_MAX_BODY_LOG_SIZE;
    if (this.level !== 'NONE')
      this.sink = createAuditSink({
        filePath: config.AUDIT_LOGS_FILE_PATH,
        rotationSize: config.AUDIT_LOG_FILE_ROTATION_SIZE,
      });
  }

  get enabled(): boolean {
    return this.sink !== undefined;
  }

  /** Bodies are logged from the REQUEST level on. */
  get withBodies(): boolean {
    return this.level === 'REQUEST' || this.level === 'REQUEST_RESPONSE';
  }

  write(record: Record<string, unknown>): void {
    this.sink?.write(record);
  }

  onModuleDestroy(): void {
    this.sink?.close();
  }
}
