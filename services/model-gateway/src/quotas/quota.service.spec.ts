import { effectiveLimit } from './quota.service';
import { UsageLimitRow } from '../usage/usage.repository';

const row = (subject: 'user' | 'group', subjectId: string, rpm: number | null): UsageLimitRow => ({
  subject,
  subjectId,
  requestsPerMinute: rpm,
  tokensPerDay: null,
  updatedAt: new Date(),
});

describe('effectiveLimit', () => {
  const rpm = (r: UsageLimitRow) => r.requestsPerMinute;

  it('prefers the user limit over group limits and the default', () => {
    expect(effectiveLimit([row('group', 'g1', 100), row('user', 'u', 2)], rpm, 50)).toEqual({
      value: 2,
      source: 'your own limit',
    });
  });

  it('takes the most generous group limit when the user has none', () => {
    expect(effectiveLimit([row('group', 'g1', 5), row('group', 'g2', 9)], rpm, 50)).toEqual({
      value: 9,
      source: 'the limit of your group g2',
    });
  });

  it('falls back to the default, where 0 means no limit', () => {
    expect(effectiveLimit([row('user', 'u', null)], rpm, 7)).toEqual({
      value: 7,
      source: 'the default limit',
    });
    expect(effectiveLimit([], rpm, 0)).toBeUndefined();
  });

  it('keeps an explicit 0 as a limit that refuses everything', () => {
    expect(effectiveLimit([row('user', 'u', 0)], rpm, 10)?.value).toBe(0);
  });
});
