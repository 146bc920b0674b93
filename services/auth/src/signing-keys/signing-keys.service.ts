import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, JWK, KeyLike } from 'jose';
import { AUTH_CONFIG, AuthConfig, durationMs } from '../auth.config';
import { LOGGER, Logger } from '@parley/logging';
import { SecretBox } from '@parley/secrets';
import { SigningKeysRepository } from './signing-keys.repository';

const ALGORITHM = 'ES256';

export interface ActiveSigningKey {
  kid: string;
  privateKey: KeyLike | Uint8Array;
}

/**
 * Owns the asymmetric keys that sign access tokens. Every auth copy signs with the newest active key
 * and publishes the public halves of all keys that may still verify a live token.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly box: SecretBox;
  private active?: { key: ActiveSigningKey; loadedAt: number };

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(SigningKeysRepository) private readonly keys: SigningKeysRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.box = new SecretBox(config.WEBUI_SECRET_KEY, 'signing-keys');
  }

  async onModuleInit(): Promise<void> {
    // Not fatal at start when PostgreSQL is down: readiness reports it and signing retries on use.
    await this.activeKey().catch(() => undefined);
  }

  async activeKey(): Promise<ActiveSigningKey> {
    const rotationMs = durationMs(this.config.SIGNING_KEY_ROTATION_INTERVAL);
    // Re-read at least every minute (another copy may have rotated), and often enough to rotate on time.
    if (this.active && Date.now() - this.active.loadedAt < Math.min(60_000, rotationMs / 2))
      return this.active.key;
    const make = async () => {
      const { publicKey, privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
      const kid = randomUUID();
      const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALGORITHM, use: 'sig' };
      return {
        kid,
        algorithm: ALGORITHM,
        publicJwk,
        privateJwkEncrypted: this.box.seal(JSON.stringify(await exportJWK(privateKey))),
      };
    };
    let stored = await this.keys.activeOrCreate(make, rotationMs);
    let privateKey = await this.open(stored);
    if (!privateKey) {
      // Sealed under another WEBUI_SECRET_KEY (the secret was changed): sign with a new key from now on.
      // The old public key stays published, so tokens it signed keep working until they expire.
      this.logger.error(
        { kid: stored.kid },
        'the active signing key cannot be opened with the current WEBUI_SECRET_KEY (was it changed, or do copies disagree?); replacing it',
      );
      stored = await this.keys.activeOrCreate(make, 0);
      privateKey = await this.open(stored);
      if (!privateKey) throw new Error('a new signing key could not be opened');
    }
    const key = { kid: stored.kid, privateKey };
    this.active = { key, loadedAt: Date.now() };
    return key;
  }

  private async open(stored: { privateJwkEncrypted: string; algorithm: string }) {
    try {
      return await importJWK(JSON.parse(this.box.open(stored.privateJwkEncrypted)) as JWK, stored.algorithm);
    } catch {
      return undefined;
    }
  }

  /** Public keys of every key that may have signed a token still within its lifetime. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const since = new Date(Date.now() - durationMs(this.config.JWT_EXPIRES_IN));
    const rows = await this.keys.findVerifiable(since);
    return { keys: rows.map((row) => row.publicJwk as unknown as JWK) };
  }
}
