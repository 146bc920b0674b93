import { natsSubjectPrefix, SubjectNamespace } from './subject-namespace';

const STREAM = {
  name: 'PARLEY_FILE_EVENTS',
  subjects: ['file.uploaded', 'file.deleted'],
  retention: 'limits' as const,
  storage: 'file' as const,
  maxAgeMs: 1_000,
  maxBytes: 1_000,
};

describe('an installation prefix on NATS', () => {
  it('puts subjects and streams of one installation under its name', () => {
    const ns = new SubjectNamespace('open-webui');
    expect(ns.subject('chat.created')).toBe('open-webui.chat.created');
    expect(ns.subject('completion.*')).toBe('open-webui.completion.*');
    expect(ns.local('open-webui.completion.m1')).toBe('completion.m1');
    expect(ns.stream(STREAM)).toEqual({
      ...STREAM,
      name: 'open-webui_PARLEY_FILE_EVENTS',
      subjects: ['open-webui.file.uploaded', 'open-webui.file.deleted'],
    });
  });

  it('changes nothing without one', () => {
    const ns = new SubjectNamespace('');
    expect(ns.subject('chat.created')).toBe('chat.created');
    expect(ns.local('chat.created')).toBe('chat.created');
    expect(ns.stream(STREAM)).toBe(STREAM);
  });

  it('refuses a prefix that would break a subject or a stream name', () => {
    for (const bad of ['a.b', 'a b', 'a*', '>', '-lead', 'x'.repeat(64)])
      expect(() => new SubjectNamespace(bad)).toThrow(/not an installation prefix/);
  });

  it('is NATS_SUBJECT_PREFIX when set, else REDIS_KEY_PREFIX', () => {
    expect(natsSubjectPrefix({ REDIS_KEY_PREFIX: 'owui' })).toBe('owui');
    expect(natsSubjectPrefix({ REDIS_KEY_PREFIX: 'owui', NATS_SUBJECT_PREFIX: 'other' })).toBe('other');
    expect(natsSubjectPrefix({ REDIS_KEY_PREFIX: '', NATS_SUBJECT_PREFIX: '' })).toBe('');
  });
});
