import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';

export interface StoredSigningKey {
  kid: string;
  algorithm: string;
  publicJwk: Record<string, unknown>;
  privateJwkEncrypted: string;
  createdAt: Date;
  retiredAt: Date | null;
}

/** A fixed advisory-lock key so only one auth copy creates the first signing key. */
const KEY_CREATION_LOCK = 0x61757468;

@Injectable()
export class SigningKeysRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  async findVerifiable(since: Date): Promise<StoredSigningKey[]> {
    const rows = await this.prisma.signingKey.findMany({
      where: { OR: [{ retiredAt: null }, { retiredAt: { gt: since } }] },
      orderBy: { createdAt: 'desc' },
    });
    return rows.map((row) => ({ ...row, publicJwk: row.publicJwk as Record<string, unknown> }));
  }

  /**
   * Returns the newest active key. When there is none, or it is older than `maxAgeMs`, a new one is
   * made with `make` and older keys are retired (they keep verifying until their tokens expire).
   * Once across copies: the advisory lock makes the others wait and then find the new key.
   */
  async activeOrCreate(
    make: () => Promise<Omit<StoredSigningKey, 'createdAt' | 'retiredAt'>>,
    maxAgeMs: number,
  ): Promise<StoredSigningKey> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${KEY_CREATION_LOCK})`;
      const existing = await tx.signingKey.findFirst({
        where: { retiredAt: null },
        orderBy: { createdAt: 'desc' },
      });
      if (existing && Date.now() - existing.createdAt.getTime() < maxAgeMs) {
        return { ...existing, publicJwk: existing.publicJwk as Record<string, unknown> };
      }
      await tx.signingKey.updateMany({ where: { retiredAt: null }, data: { retiredAt: new Date() } });
      const key = await make();
      const row = await tx.signingKey.create({ data: { ...key, publicJwk: key.publicJwk as object } });
      return { ...row, publicJwk: row.publicJwk as Record<string, unknown> };
    });
  }
}
