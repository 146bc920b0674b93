import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DomainError, ErrorKind } from '@parley/errors';
import { InstanceSettingsService } from '../instance-settings/instance-settings.service';
import { PrismaService } from '../database/prisma.service';
import type { ApiKey, User } from '../generated/prisma/client';
import { AuthRedis } from '../redis/auth-redis';
import { UUID } from '../users/user-rules';

/** Open WebUI's key format: `sk-` and 32 hex characters; ours carry 48 for more entropy. */
const KEY_PATTERN = /^sk-[0-9a-f]{32,64}$/;
/** last_used_at is written at most this often per key, so a busy key costs no write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

@Injectable()
export class ApiKeysService {
  constructor(
    @Inject(InstanceSettingsService) private readonly settings: InstanceSettingsService,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(AuthRedis) private readonly redis: AuthRedis,
  ) {}

  /** Replaces the user's key; the new key is returned once and only its hash is kept. */
  async create(userId: string): Promise<{ key: string; info: ApiKey }> {
    if (!(await this.settings.effective()).ENABLE_API_KEY) {
      throw new DomainError(
        ErrorKind.PermissionDenied,
        'API keys are disabled on this server (ENABLE_API_KEY).',
      );
    }
    this.checkUserId(userId);
    const key = `sk-${randomBytes(24).toString('hex')}`;
    const data = {
      id: randomUUID(),
      keyHash: hashApiKey(key),
      prefix: key.slice(0, 7),
      createdAt: new Date(),
      lastUsedAt: null,
    };
    const info = await this.prisma.apiKey.upsert({
      where: { userId },
      create: { ...data, userId },
      update: data,
    });
    await this.redis.revocations.apiKeyChanged(userId);
    return { key, info };
  }

  async get(userId: string): Promise<ApiKey | null> {
    this.checkUserId(userId);
    return this.prisma.apiKey.findUnique({ where: { userId } });
  }

  async delete(userId: string): Promise<void> {
    this.checkUserId(userId);
    const { count } = await this.prisma.apiKey.deleteMany({ where: { userId } });
    if (!count) throw new DomainError(ErrorKind.NotFound, 'You have no API key.');
    await this.redis.revocations.apiKeyChanged(userId);
  }

  async authenticate(key: string): Promise<{ user: User; keyId: string }> {
    const rejected = new DomainError(ErrorKind.Unauthenticated, 'The API key is not valid.');
    if (!KEY_PATTERN.test(key)) throw rejected;
    const found = await this.prisma.apiKey.findUnique({
      where: { keyHash: hashApiKey(key) },
      include: { user: true },
    });
    if (!found) throw rejected;
    const now = Date.now();
    if (!found.lastUsedAt || now - found.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.prisma.apiKey.update({ where: { id: found.id }, data: { lastUsedAt: new Date(now) } });
    }
    return { user: found.user, keyId: found.id };
  }

  private checkUserId(userId: string): void {
    if (!UUID.test(userId)) throw new DomainError(ErrorKind.InvalidArgument, 'actor_id must be a user id.');
  }
}
