import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainError, ErrorKind } from '@parley/errors';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import { AuthRedis } from '../redis/auth-redis';
import { UUID } from '../users/user-rules';
import { InstanceSettingsService } from '../instance-settings/instance-settings.service';
import { effectivePermissions, isPermissionFlag } from './permissions';

export interface GroupView {
  id: string;
  name: string;
  description: string;
  permissions: Record<string, boolean>;
  userIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

const MAX_MEMBERS_PER_CALL = 10_000;

@Injectable()
export class GroupsService {
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(AuthRedis) private readonly redis: AuthRedis,
    @Inject(InstanceSettingsService) private readonly settings: InstanceSettingsService,
  ) {}

  async create(input: {
    name: string;
    description: string;
    permissions: Record<string, boolean>;
    userIds: string[];
  }): Promise<GroupView> {
    const data = { name: this.checkName(input.name), description: this.checkDescription(input.description) };
    const permissions = this.checkPermissions(input.permissions);
    const userIds = this.checkUserIds(input.userIds);
    try {
      const group = await this.prisma.group.create({
        data: {
          id: randomUUID(),
          ...data,
          permissions,
          members: { create: userIds.map((userId) => ({ userId })) },
        },
        include: { members: true },
      });
      await this.redis.revocations.permissionsChanged();
      return view(group);
    } catch (error) {
      throw this.translate(error);
    }
  }

  async list(): Promise<GroupView[]> {
    const groups = await this.prisma.group.findMany({ include: { members: true }, orderBy: { name: 'asc' } });
    return groups.map(view);
  }

  async update(
    id: string,
    changes: {
      name?: string;
      description?: string;
      permissions?: Record<string, boolean>;
      userIds?: string[];
    },
  ): Promise<GroupView> {
    if (!UUID.test(id)) throw notFound();
    const data: Prisma.GroupUpdateInput = {};
    if (changes.name !== undefined) data.name = this.checkName(changes.name);
    if (changes.description !== undefined) data.description = this.checkDescription(changes.description);
    if (changes.permissions !== undefined) data.permissions = this.checkPermissions(changes.permissions);
    const userIds = changes.userIds === undefined ? undefined : this.checkUserIds(changes.userIds);
    try {
      const group = await this.prisma.$transaction(async (tx) => {
        if (!(await tx.group.findUnique({ where: { id }, select: { id: true } }))) throw notFound();
        if (userIds !== undefined) {
          await tx.groupMember.deleteMany({ where: { groupId: id } });
          await tx.groupMember.createMany({ data: userIds.map((userId) => ({ groupId: id, userId })) });
        }
        return tx.group.update({ where: { id }, data, include: { members: true } });
      });
      await this.redis.revocations.permissionsChanged();
      return view(group);
    } catch (error) {
      throw this.translate(error);
    }
  }

  async delete(id: string): Promise<void> {
    if (!UUID.test(id)) throw notFound();
    const { count } = await this.prisma.group.deleteMany({ where: { id } });
    if (!count) throw notFound();
    await this.redis.revocations.permissionsChanged();
  }

  /**
   * What every user may do before groups widen it: Open WebUI's defaults with USER_PERMISSIONS_* applied,
   * then what an admin changed at runtime.
   */
  async defaults(): Promise<Record<string, boolean>> {
    return (await this.settings.effective()).USER_PERMISSIONS;
  }

  async permissionsOf(userId: string): Promise<Record<string, boolean>> {
    if (!UUID.test(userId)) throw new DomainError(ErrorKind.NotFound, 'No such user.');
    const user = await this.prisma.user.findUnique({
      where: { id: userId },
      select: { role: true, groups: { select: { group: { select: { permissions: true } } } } },
    });
    if (!user) throw new DomainError(ErrorKind.NotFound, 'No such user.');
    return effectivePermissions(
      user.role,
      user.groups.map((m) => m.group.permissions as Record<string, boolean>),
      await this.defaults(),
    );
  }

  /** Role, groups and granted permission names of a user: what a caller assertion carries. */
  async callerProfileOf(
    userId: string,
  ): Promise<{ role: string; groupIds: string[]; permissions: string[] }> {
    if (!UUID.test(userId)) throw new DomainError(ErrorKind.NotFound, 'No such user.');
    const user = await this.prisma.user.findUnique({
      where: { id: userId },
      select: { role: true, groups: { select: { group: { select: { id: true, permissions: true } } } } },
    });
    if (!user) throw new DomainError(ErrorKind.NotFound, 'No such user.');
    const granted = effectivePermissions(
      user.role,
      user.groups.map((m) => m.group.permissions as Record<string, boolean>),
      await this.defaults(),
    );
    return {
      role: user.role,
      groupIds: user.groups.map((m) => m.group.id).sort(),
      permissions: Object.entries(granted)
        .filter(([, on]) => on)
        .map(([name]) => name)
        .sort(),
    };
  }

  private checkName(name: string): string {
    const value = name.trim();
    if (!value) throw invalid('A group needs a name.');
    if (value.length > 100) throw invalid('The group name is longer than 100 characters.');
    return value;
  }

  private checkDescription(description: string): string {
    if (description.length > 2_000) throw invalid('The description is longer than 2000 characters.');
    return description;
  }

  private checkPermissions(permissions: Record<string, boolean>): Record<string, boolean> {
    const entries = Object.entries(permissions);
    if (entries.length > 200) throw invalid('A group may set at most 200 permissions.');
    for (const [flag] of entries)
      if (!isPermissionFlag(flag))
        throw invalid(`"${flag.slice(0, 100)}" is not a permission name (like chat.delete).`);
    return Object.fromEntries(entries);
  }

  private checkUserIds(userIds: string[]): string[] {
    if (userIds.length > MAX_MEMBERS_PER_CALL)
      throw invalid(`A group may be given at most ${MAX_MEMBERS_PER_CALL} members at once.`);
    for (const id of userIds) if (!UUID.test(id)) throw invalid(`"${id.slice(0, 50)}" is not a user id.`);
    return [...new Set(userIds)];
  }

  private translate(error: unknown): unknown {
    if (error instanceof Prisma.PrismaClientKnownRequestError) {
      if (error.code === 'P2002')
        return new DomainError(ErrorKind.AlreadyExists, 'A group with this name exists already.');
      if (error.code === 'P2003') return invalid('One of the user ids does not belong to a user.');
    }
    return error;
  }
}

function view(group: {
  id: string;
  name: string;
  description: string;
  permissions: unknown;
  members: Array<{ userId: string }>;
  createdAt: Date;
  updatedAt: Date;
}): GroupView {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    permissions: group.permissions as Record<string, boolean>,
    userIds: group.members.map((m) => m.userId).sort(),
    createdAt: group.createdAt,
    updatedAt: group.updatedAt,
  };
}

function notFound(): DomainError {
  return new DomainError(ErrorKind.NotFound, 'No such group.');
}

function invalid(message: string): DomainError {
  return new DomainError(ErrorKind.InvalidArgument, message);
}
