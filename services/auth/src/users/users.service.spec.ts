import { DomainError, ErrorKind } from '@parley/errors';
import { parseConfig } from '@parley/config';
import { authConfigSchema } from '../auth.config';
import { UsersService } from './users.service';

/** Small tests: every collaborator is a stub; what is checked is the rule, not the plumbing. */
function build(existing: { id: string; passwordHash: string | null; role: string } | null) {
  const config = parseConfig(authConfigSchema, {
    WEBUI_SECRET_KEY: 'x'.repeat(32),
    CALLER_ASSERTION_SECRET: 'y'.repeat(32),
  });
  const users = { findByEmail: jest.fn().mockResolvedValue(existing) };
  const hasher = {
    verify: jest.fn().mockResolvedValue(false),
    verifyDecoy: jest.fn().mockResolvedValue(false),
    hash: jest.fn(),
  };
  const tokens = { issue: jest.fn().mockResolvedValue({ token: 't', expiresAt: 1 }) };
  const sut = new UsersService(
    config,
    users as never,
    hasher as never,
    tokens as never,
    {} as never,
    {} as never,
    {} as never,
  );
  return { sut, hasher, tokens };
}

describe('UsersService.signIn', () => {
  it('spends a password verification on an unknown email, so it answers as slowly as a wrong password', async () => {
    const { sut, hasher } = build(null);
    await expect(sut.signIn({ email: 'nobody@example.com', password: 'guess' })).rejects.toEqual(
      new DomainError(ErrorKind.Unauthenticated, 'The email or password is incorrect.'),
    );
    expect(hasher.verifyDecoy).toHaveBeenCalledWith('guess');
    expect(hasher.verify).not.toHaveBeenCalled();
  });

  it('checks the stored hash for a known email and gives the same answer when it does not match', async () => {
    const { sut, hasher, tokens } = build({ id: 'u', passwordHash: 'h', role: 'user' });
    await expect(sut.signIn({ email: 'a@example.com', password: 'wrong' })).rejects.toThrow(
      'The email or password is incorrect.',
    );
    expect(hasher.verify).toHaveBeenCalledWith('h', 'wrong');
    expect(tokens.issue).not.toHaveBeenCalled();
  });

  it('does not hash an oversized password (a CPU-burning request) and still answers the same way', async () => {
    const { sut, hasher } = build({ id: 'u', passwordHash: 'h', role: 'user' });
    await expect(sut.signIn({ email: 'a@example.com', password: 'x'.repeat(10_000) })).rejects.toThrow(
      'The email or password is incorrect.',
    );
    expect(hasher.verify).not.toHaveBeenCalled();
    expect(hasher.verifyDecoy).toHaveBeenCalledWith('x'.repeat(256));
  });
});
