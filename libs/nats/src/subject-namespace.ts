import { env, INSTALLATION_PREFIX } from '@parley/config';
import type { DurableStreamSpec } from './durable-consumer';

/**
 * Where NATS is and which installation this is on it. Two installations may share one NATS (and one
 * Redis): REDIS_KEY_PREFIX, Open WebUI's name for "this installation's part of the shared Redis", names
 * it on NATS too unless NATS_SUBJECT_PREFIX says otherwise; unset, subjects and streams keep their
 * plain names (docs/installation-prefix.md).
 */
export function natsEnv() {
  return {
    NATS_URL: env.urlList(['nats', 'tls'], 'nats://127.0.0.1:4222'),
    REDIS_KEY_PREFIX: env.installationPrefix(),
    NATS_SUBJECT_PREFIX: env.installationPrefix().optional(),
  };
}

export function natsSubjectPrefix(config: {
  REDIS_KEY_PREFIX: string;
  NATS_SUBJECT_PREFIX?: string;
}): string {
  return config.NATS_SUBJECT_PREFIX ?? config.REDIS_KEY_PREFIX;
}

/**
 * An installation's names on a shared NATS: `<prefix>.<subject>` for subjects, `<prefix>_<NAME>` for
 * JetStream streams (stream names allow no dots). The empty prefix changes nothing.
 */
export class SubjectNamespace {
  private readonly before: string;
  private readonly streamBefore: string;

  constructor(readonly prefix: string) {
    if (!INSTALLATION_PREFIX.test(prefix)) throw new Error(`"${prefix}" is not an installation prefix`);
    this.before = prefix ? `${prefix}.` : '';
    this.streamBefore = prefix ? `${prefix}_` : '';
  }

  subject(subject: string): string {
    return this.before + subject;
  }

  /** The subject as the rest of the code knows it (the prefix taken off). */
  local(subject: string): string {
    return this.before && subject.startsWith(this.before) ? subject.slice(this.before.length) : subject;
  }

  stream(spec: DurableStreamSpec): DurableStreamSpec {
    if (!this.before) return spec;
    return {
      ...spec,
      name: this.streamBefore + spec.name,
      subjects: spec.subjects.map((subject) => this.subject(subject)),
    };
  }
}
