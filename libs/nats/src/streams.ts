import type { DurableStreamSpec } from './durable-consumer';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The JetStream streams more than one service uses: the producer publishes into it and each consumer
 * makes sure it exists with the same settings, so the spec lives here once.
 */
export const STREAMS: Record<'fileEvents', DurableStreamSpec> = {
  /** file.uploaded / file.processed / file.deleted, kept until retrieval (or anyone) read them. */
  fileEvents: {
    name: 'PARLEY_FILE_EVENTS',
    subjects: ['file.uploaded', 'file.processed', 'file.deleted'],
    retention: 'limits',
    storage: 'file',
    maxAgeMs: 7 * DAY_MS,
    maxBytes: 256 * 1024 * 1024,
  },
};

/**
 * A durable work queue (one message per job, removed once acknowledged), named by the installation so
 * installations (or test stacks) sharing one NATS keep their own: stream `name`, subject
 * `<prefix>.<name in lower case>.<job>`.
 */
export function workQueue(
  name: string,
  prefix: string,
  job: string,
  maxBytes: number,
): { stream: DurableStreamSpec; subject: string } {
  const subject = `${prefix}.${name.toLowerCase()}.${job}`;
  return {
    subject,
    stream: {
      name,
      subjects: [subject],
      retention: 'workqueue',
      storage: 'file',
      maxAgeMs: 7 * DAY_MS,
      maxBytes,
    },
  };
}
