import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import type { Prisma, User } from '../generated/prisma/client';

export type UserRecord = User;

/** A fixed advisory-lock key: sign-ups are serialised so exactly one first user becomes admin. */
const SIGNUP_LOCK = 0x7369676e;
/** Serialises role changes and deletions so the last admin cannot be removed by two racing calls. */
const ADMIN_LOCK = 0x61646d6e;

@Injectable()
export class UsersRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  findById(id: string): Promise<UserRecord | null> {
    return this.prisma.user.findUnique({ where: { id } });
  }

  findByEmail(email: string): Promise<UserRecord | null> {
    return this.prisma.user.findUnique({ where: { email: email.toLowerCase() } });
  }

  /**
   * Creates a user; `decideRole` learns whether this is the install's first user. Returns null when the
   * email is taken. Runs under a transaction-scoped advisory lock so concurrent sign-ups on any copy
   * see each other.
   */
  async createUser(
    data: { id: string; email: string; name: string; passwordHash: string | null; profileImageUrl?: string },
    decideRole: (isFirstUser: boolean) => string,
  ): Promise<UserRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SIGNUP_LOCK})`;
      const email = data.email.toLowerCase();
      if (await tx.user.findUnique({ where: { email }, select: { id: true } })) return null;
      const isFirstUser = (await tx.user.count()) === 0;
      return tx.user.create({ data: { ...data, email, role: decideRole(isFirstUser) } });
    });
  }

  async list(
    query: string,
    page: number,
    pageSize: number,
    role?: string,
  ): Promise<{ users: UserRecord[]; total: number }> {
    const where: Prisma.UserWhereInput = {
      ...(query
        ? {
            OR: [
              { name: { contains: query, mode: 'insensitive' } },
              { email: { contains: query.toLowerCase() } },
            ],
          }
        : {}),
      ...(role ? { role } : {}),
    };
    const [users, total] = await Promise.all([
      this.prisma.user.findMany({
        where,
        orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
        skip: (page - 1) * pageSize,
        take: pageSize,
      }),
      this.prisma.user.count({ where }),
    ]);
    return { users, total };
  }

  /** Updates a user; `guard` runs inside the transaction with the current row and the admin count. */
  async update(
    id: string,
    data: Prisma.UserUpdateInput,
    guard: (current: UserRecord, adminCount: number) => void,
  ): Promise<UserRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADMIN_LOCK})`;
      const current = await tx.user.findUnique({ where: { id } });
      if (!current) return null;
      guard(current, await tx.user.count({ where: { role: 'admin' } }));
      return tx.user.update({ where: { id }, data });
    });
  }

  async delete(id: string, guard: (current: UserRecord, adminCount: number) => void): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADMIN_LOCK})`;
      const current = await tx.user.findUnique({ where: { id } });
      if (!current) return false;
      guard(current, await tx.user.count({ where: { role: 'admin' } }));
      await tx.user.delete({ where: { id } });
      return true;
    });
  }

  count(): Promise<number> {
    return this.prisma.user.count();
  }

  /** Sets last_active_at to now unless it is younger than `resolutionSeconds` (updated_at stays). */
  async markActive(id: string, resolutionSeconds: number): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "auth"."users" SET "last_active_at" = now()
      WHERE "id" = ${id}::uuid
        AND ("last_active_at" IS NULL OR "last_active_at" < now() - make_interval(secs => ${resolutionSeconds}))`;
  }

  /** The admin who has been one the longest (the install's first user, unless demoted). */
  firstAdmin(): Promise<UserRecord | null> {
    return this.prisma.user.findFirst({
      where: { role: 'admin' },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  async isEmpty(): Promise<boolean> {
    return (await this.prisma.user.findFirst({ select: { id: true } })) === null;
  }

  emailTakenByOther(email: string, id: string): Promise<boolean> {
    return this.prisma.user.count({ where: { email, NOT: { id } } }).then((n) => n > 0);
  }
}
