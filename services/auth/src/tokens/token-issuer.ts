import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { AUTH_CONFIG, AuthConfig, durationMs } from '../auth.config';
import { SigningKeysService } from '../signing-keys/signing-keys.service';

export interface IssuedToken {
  token: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

@Injectable()
export class TokenIssuer {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(SigningKeysService) private readonly keys: SigningKeysService,
  ) {}

  async issue(user: { id: string; role: string }): Promise<IssuedToken> {
    const key = await this.keys.activeKey();
    const nowMs = Date.now();
    const now = Math.floor(nowMs / 1000);
    const expiresAt = now + Math.floor(durationMs(this.config.JWT_EXPIRES_IN) / 1000);
    // `id` mirrors `sub` because Open WebUI's tokens carry the user id there.
    // iat_ms: revocation compares issue times to the millisecond (a token issued right after a
    // password change must survive the revocation that change made).
    const token = await new SignJWT({ id: user.id, role: user.role, iat_ms: nowMs })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
      .setIssuer('parley')
      .setSubject(user.id)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(expiresAt)
      .sign(key.privateKey);
    return { token, expiresAt };
  }
}
