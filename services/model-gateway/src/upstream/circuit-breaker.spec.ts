import { CircuitBreakers } from './circuit-breaker';

describe('CircuitBreakers', () => {
  let now = 0;
  const sut = () => new CircuitBreakers(2, 1_000, () => now);

  beforeEach(() => (now = 0));

  it('skips an upstream after the threshold of failures in a row, until the cooldown passes', () => {
    const breakers = sut();
    breakers.failed('a');
    expect(breakers.tryAcquire('a')).toBe(true);
    breakers.failed('a');
    expect(breakers.tryAcquire('a')).toBe(false);
    expect(breakers.tryAcquire('b')).toBe(true);
    now = 999;
    expect(breakers.tryAcquire('a')).toBe(false);
  });

  it('lets exactly one trial through after the cooldown; success closes, failure reopens', () => {
    const breakers = sut();
    breakers.failed('a');
    breakers.failed('a');
    now = 1_000;
    expect(breakers.tryAcquire('a')).toBe(true);
    expect(breakers.tryAcquire('a')).toBe(false);
    breakers.failed('a');
    expect(breakers.tryAcquire('a')).toBe(false);
    now = 2_000;
    expect(breakers.tryAcquire('a')).toBe(true);
    breakers.succeeded('a');
    expect(breakers.isClosed('a')).toBe(true);
    expect(breakers.tryAcquire('a')).toBe(true);
  });

  it('a success resets the count, so failures must be in a row', () => {
    const breakers = sut();
    breakers.failed('a');
    breakers.succeeded('a');
    breakers.failed('a');
    expect(breakers.tryAcquire('a')).toBe(true);
  });
});
