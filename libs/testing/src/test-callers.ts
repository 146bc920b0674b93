import { randomBytes } from 'node:crypto';
import {
  CallerSigner,
  CallerVerifier,
  serviceCaller,
  type Caller,
  type CallerSigning,
  type UserCaller,
} from '@parley/grpc';

/**
 * The caller-assertion secret of in-process test services (a fresh one per test process). Stacks of
 * service processes get their own (Stack.callerSecret).
 */
export const TEST_CALLER_SECRET = randomBytes(24).toString('hex');

/** Signing for a test client calling the service named `audience`. */
export function testCallerSigning(audience: string, secret = TEST_CALLER_SECRET): CallerSigning {
  return { signer: new CallerSigner({ secrets: [secret], issuer: 'test' }), audience };
}

/** The verifier an in-process service uses. */
export function testCallerVerifier(audience: string, secret = TEST_CALLER_SECRET): CallerVerifier {
  return new CallerVerifier({ secrets: [secret], audience });
}

/** A signed-in user as a service sees them; permissions default to none. */
export function userCaller(
  userId: string,
  {
    role = 'user',
    groupIds = [],
    permissions = [],
  }: Partial<Pick<UserCaller, 'role' | 'groupIds'>> & {
    permissions?: Iterable<string>;
  } = {},
): UserCaller {
  return { kind: 'user', userId, role, groupIds, permissions: new Set(permissions) };
}

export { serviceCaller };
export type { Caller };
