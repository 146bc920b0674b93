import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { runWithRequestContext, sanitizeRequestId } from './request-context';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: createLogger({ service: 'test', destination }) };
}

describe('createLogger', () => {
  it('writes JSON lines with the service name and the request id of the current context', () => {
    const { lines, logger } = capture();
    runWithRequestContext({ requestId: 'req-42' }, () => logger.info({ chatId: 'c1' }, 'chat created'));
    expect(lines[0]).toMatchObject({
      service: 'test',
      level: 'info',
      msg: 'chat created',
      requestId: 'req-42',
      chatId: 'c1',
    });
  });

  it('never writes secrets, at the top level or nested', () => {
    const { lines, logger } = capture();
    logger.info(
      { password: 'hunter2', body: { token: 'eyJabc' }, headers: { authorization: 'Bearer x' } },
      'x',
    );
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('eyJabc');
    expect(text).not.toContain('Bearer x');
    expect(text).toContain('[redacted]');
  });
});

describe('sanitizeRequestId', () => {
  it('keeps a plain id and replaces a hostile one', () => {
    expect(sanitizeRequestId('abc-123')).toBe('abc-123');
    const replaced = sanitizeRequestId('bad\nid {"level":"fatal"}');
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
    expect(sanitizeRequestId('x'.repeat(500))).toHaveLength(36);
  });
});
