export { TokenVerifier } from './token-verifier';
export type { AuthenticatedUser, TokenVerifierOptions, UserRole } from './token-verifier';
export { tokenFromHeaders, tokenFromCookie } from './token-extraction';
export { AuthGuard, AllowPending, AdminOnly, ALLOW_PENDING, REQUIRE_ADMIN } from './auth.guard';
export type { AuthenticatedRequest } from './auth.guard';
export {
  RevocationList,
  RevocationPublisher,
  REVOCATION_CHANNEL,
  revokedBeforeKey,
  revokedTokenKey,
} from './revocation';
export type { RevocationMessage, RevocationKind, RevocableToken } from './revocation';
export { AUTHENTICATOR, TokenAuthenticator } from './authenticator';
export type { Authenticator } from './authenticator';
export { ApiKeyResolver, apiKeyLookupVia } from './api-key-resolver';
export { CredentialAuthenticator } from './credential-authenticator';
export { CallerProfiles, CALLER_PROFILES } from './caller-profiles';
export type { CallerProfile, CallerProfilesOptions } from './caller-profiles';
export { normalizeOrigin, parseOriginPolicy, policyAllows } from './origin-policy';
export type { OriginPolicy } from './origin-policy';
export { sessionCookieEnv, sessionCookieOptions } from './session-cookie';
export type { SessionCookieConfig } from './session-cookie';
