import { Inject, Injectable } from '@nestjs/common';
import type { ActingUser } from '../authorization/acting-user';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';
import { ModelGatewayRedis } from '../redis/model-gateway-redis';

/** What every copy knows about a task: enough to list it, stop it, or finish it after its copy died. */
export interface TaskRecord {
  id: string;
  userId: string;
  /**
   * The user who started it (role, groups, permissions as their verified caller said): the copy that
   * runs, finishes or sweeps the task acts for exactly this user, whichever copy was asked.
   */
  caller: ActingUser;
  chatId: string;
  messageId: string;
  model: string;
  /** The copy running it (`<hostname>:<pid>`). */
  owner: string;
  /** The highest delta seq the owner may have published: written before each publish. */
  seq: number;
  /** The owner saved the final answer (it may have died before publishing the last delta). */
  saved: boolean;
}

/** How long a task record outlives its task (message-id idempotency, late stops answer "not running"). */
const RECORD_TTL_SECONDS = 24 * 3600;

/** Claims a message for a task: the existing task id, or the new one after writing its record. */
const CLAIM = `
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
redis.call('HSET', KEYS[2], 'id', ARGV[1], 'userId', ARGV[4], 'chatId', ARGV[5], 'messageId', ARGV[6],
  'model', ARGV[7], 'owner', ARGV[8], 'seq', '0', 'caller', ARGV[10])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[2], ARGV[1])
redis.call('PEXPIRE', KEYS[4], ARGV[9])
redis.call('PEXPIRE', KEYS[5], ARGV[9])
return ARGV[1]`;

/** Extends the leases of tasks still held; returns the ids whose lease is gone (taken by a sweeper). */
const RENEW = `
local lost = {}
for i, id in ipairs(ARGV) do
  if i > 1 then
    if redis.call('ZADD', KEYS[1], 'XX', 'CH', ARGV[1], id) == 0 and not redis.call('ZSCORE', KEYS[1], id) then
      table.insert(lost, id)
    end
  end
end
return lost`;

/** Takes an expired lease (so one sweeper handles it); 1 when taken. */
const TAKE_EXPIRED = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) <= tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
return 0`;

/**
 * Running chat tasks in Redis, shared by every copy of one installation (MODEL_GATEWAY_CLUSTER):
 * a record per task, the lease set the sweeper watches, and per-chat and per-user indexes of running
 * tasks scored by lease expiry (an entry past its expiry is not running, whatever happened to it).
 */
@Injectable()
export class TaskRegistryRepository {
  private readonly prefix: string;

  constructor(
    @Inject(ModelGatewayRedis) private readonly redis: ModelGatewayRedis,
    @Inject(MODEL_GATEWAY_CONFIG) config: ModelGatewayConfig,
  ) {
    this.prefix = `parley:mg:${config.MODEL_GATEWAY_CLUSTER}:`;
  }

  private key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  private get leases(): string {
    return this.key('leases');
  }

  /** Registers a task for a message, or returns the id of the task that already has the message. */
  async claim(task: Omit<TaskRecord, 'seq' | 'saved'>, leaseUntil: number, leaseMs: number): Promise<string> {
    return (await this.redis.client.eval(
      CLAIM,
      5,
      this.key('message', task.messageId),
      this.key('task', task.id),
      this.leases,
      this.key('chat', task.chatId),
      this.key('user', task.userId),
      task.id,
      String(leaseUntil),
      String(RECORD_TTL_SECONDS),
      task.userId,
      task.chatId,
      task.messageId,
      task.model,
      task.owner,
      String(leaseMs * 4),
      JSON.stringify(task.caller),
    )) as string;
  }

  /** Extends the leases of the given tasks; the ids whose lease was taken meanwhile are returned. */
  async renew(
    tasks: Array<Pick<TaskRecord, 'id' | 'chatId' | 'userId'>>,
    leaseUntil: number,
  ): Promise<string[]> {
    if (!tasks.length) return [];
    const lost = (await this.redis.client.eval(
      RENEW,
      1,
      this.leases,
      String(leaseUntil),
      ...tasks.map((t) => t.id),
    )) as string[];
    const pipeline = this.redis.client.pipeline();
    for (const task of tasks) {
      if (lost.includes(task.id)) continue;
      pipeline.zadd(this.key('chat', task.chatId), leaseUntil, task.id);
      pipeline.zadd(this.key('user', task.userId), leaseUntil, task.id);
    }
    await pipeline.exec();
    return lost;
  }

  /** Notes the highest seq about to be published (before publishing it). */
  async recordSeq(taskId: string, seq: number): Promise<void> {
    await this.redis.client.hset(this.key('task', taskId), 'seq', String(seq));
  }

  /** The final answer is in the chat service. */
  async markSaved(taskId: string): Promise<void> {
    await this.redis.client.hset(this.key('task', taskId), 'saved', '1');
  }

  /** The task is over: it leaves the lease set and the indexes; its record stays for a while. */
  async release(task: Pick<TaskRecord, 'id' | 'chatId' | 'userId'>): Promise<void> {
    await this.redis.client
      .multi()
      .zrem(this.leases, task.id)
      .zrem(this.key('chat', task.chatId), task.id)
      .zrem(this.key('user', task.userId), task.id)
      .exec();
  }

  /** The task that took a message id (running or finished within a day). */
  async taskOfMessage(messageId: string): Promise<string | undefined> {
    return (await this.redis.client.get(this.key('message', messageId))) ?? undefined;
  }

  async get(taskId: string): Promise<TaskRecord | undefined> {
    const raw = await this.redis.client.hgetall(this.key('task', taskId));
    if (!raw.id) return undefined;
    const userId = raw.userId ?? '';
    return {
      id: raw.id,
      userId,
      caller: storedCaller(userId, raw.caller),
      chatId: raw.chatId ?? '',
      messageId: raw.messageId ?? '',
      model: raw.model ?? '',
      owner: raw.owner ?? '',
      seq: Number(raw.seq ?? 0),
      saved: raw.saved === '1',
    };
  }

  /** True while the task holds a lease (it is running somewhere). */
  async isRunning(taskId: string, now = Date.now()): Promise<boolean> {
    const score = await this.redis.client.zscore(this.leases, taskId);
    return score !== null && Number(score) > now;
  }

  /** Ids of the tasks running in a chat. */
  async runningInChat(chatId: string, now = Date.now()): Promise<string[]> {
    return this.redis.client.zrangebyscore(this.key('chat', chatId), `(${now}`, '+inf');
  }

  /** How many tasks a user has running. */
  async runningForUser(userId: string, now = Date.now()): Promise<number> {
    const key = this.key('user', userId);
    await this.redis.client.zremrangebyscore(key, '-inf', now);
    return this.redis.client.zcard(key);
  }

  /** Ids of tasks whose lease ran out (their copy died or hung), oldest first. */
  async expired(now: number, limit: number): Promise<string[]> {
    return this.redis.client.zrangebyscore(this.leases, '-inf', now, 'LIMIT', 0, limit);
  }

  /** Takes an expired lease for this sweeper; false when another copy took it or it was renewed. */
  async takeExpired(taskId: string, now: number): Promise<boolean> {
    return (await this.redis.client.eval(TAKE_EXPIRED, 1, this.leases, taskId, String(now))) === 1;
  }

  /** Puts a task back for a later sweep (its chat could not be reached). */
  async retryLater(taskId: string, at: number): Promise<void> {
    await this.redis.client.zadd(this.leases, at, taskId);
  }
}

/**
 * The stored caller of a task. A record without one (written before callers were stored) acts as a plain
 * user with no groups or permissions: never more than its owner had.
 */
function storedCaller(userId: string, json: string | undefined): ActingUser {
  const fallback: ActingUser = { userId, role: 'user', groupIds: [], permissions: [] };
  if (!json) return fallback;
  try {
    const value = JSON.parse(json) as Partial<ActingUser>;
    const strings = (list: unknown) =>
      Array.isArray(list) && list.every((entry) => typeof entry === 'string') ? (list as string[]) : [];
    const role = value.role === 'admin' || value.role === 'user' ? value.role : 'user';
    return { userId, role, groupIds: strings(value.groupIds), permissions: strings(value.permissions) };
  } catch {
    return fallback;
  }
}
