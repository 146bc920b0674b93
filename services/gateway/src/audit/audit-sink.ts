import { mkdirSync } from 'node:fs';
import { dirname, basename } from 'node:path';
import { createStream, RotatingFileStream } from 'rotating-file-stream';

/** Where audit lines go: stdout (one JSON line each, beside the service's own logs) or a rotated file. */
export interface AuditSink {
  write(record: Record<string, unknown>): void;
  close(): void;
}

/** `10MB`, `500K`, `1G` (Open WebUI's AUDIT_LOG_FILE_ROTATION_SIZE form) in rotating-file-stream's form. */
export function rotationSize(size: string): string {
  const match = /^(\d+)\s*([KMG])?B?$/i.exec(size.trim());
  if (!match) throw new Error(`bad rotation size ${size}`);
  const [, n, unit] = match;
  return unit ? `${n}${unit.toUpperCase()}` : `${n}B`;
}

export function createAuditSink(options: { filePath?: string; rotationSize: string }): AuditSink {
  if (!options.filePath) {
    return {
      write: (record) => process.stdout.write(`${JSON.stringify(record)}\n`),
      close: () => undefined,
    };
  }
  const directory = dirname(options.filePath);
  mkdirSync(directory, { recursive: true });
  const stream: RotatingFileStream = createStream(basename(options.filePath), {
    path: directory,
    size: rotationSize(options.rotationSize),
    maxFiles: 10,
  });
  // A full disk or a removed directory must not end the gateway: the line is lost, and said so.
  stream.on('error', (error) => process.stderr.write(`audit log write failed: ${error.message}\n`));
  return {
    write: (record) => stream.write(`${JSON.stringify(record)}\n`),
    close: () => stream.end(),
  };
}
