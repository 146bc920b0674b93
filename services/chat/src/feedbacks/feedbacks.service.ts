import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { UserCaller } from '@parley/grpc';
import { DomainError, ErrorKind } from '@parley/errors';
import { CHAT_CONFIG, ChatConfig } from '../chat.config';
import { isUuid, parseJsonObject, requireUserId } from '../common/ids';
import { Prisma } from '../generated/prisma/client';
import { leaderboard, LeaderboardRow, RatedAnswer } from './elo';
import {
  FeedbackFields,
  FeedbackOrder,
  FeedbackRow,
  FeedbacksRepository,
  FeedbackText,
} from './feedbacks.repository';

export interface FeedbackInput {
  type: string;
  dataJson: string;
  metaJson: string;
  snapshotJson: string;
}

export interface EvaluationConfigView {
  enableArenaModels: boolean;
  arenaModels: unknown[];
}

const noSuchFeedback = () =>
  new DomainError(ErrorKind.NotFound, 'No such feedback.', { code: 'FEEDBACK_NOT_FOUND' });

const ORDERS = new Set<FeedbackOrder>(['updated_at', 'created_at', 'type', 'user_id']);
const MAX_TYPE_LENGTH = 100;
const MAX_ID_LENGTH = 200;
const MAX_MODEL_IDS = 100;
const PAGE_SIZE = 30;
/** Also bounds one answer well below gRPC's message limit (rows are listed without snapshots). */
const MAX_PAGE_SIZE = 100;
const BATCH = 500;
/** Leaderboard rows are a few short fields each. */
const RATINGS_BATCH = 5_000;
/** Open WebUI's default: arena models on, none configured (Parley serves no arena model yet). */
const DEFAULT_CONFIG: EvaluationConfigView = { enableArenaModels: true, arenaModels: [] };

const asObject = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const strings = (value: unknown) =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/**
 * Open WebUI's feedback rows. A user reads and changes only their own (another's answers NOT_FOUND,
 * so ids are not revealed); admins read, change and delete any, list and export all, and see the
 * leaderboard. A feedback that names a message is the user's one row for it: the thumbs on a message
 * (RateMessage) and POST /feedback write the same row.
 */
@Injectable()
export class FeedbacksService {
  constructor(
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    @Inject(FeedbacksRepository) private readonly feedbacks: FeedbacksRepository,
  ) {}

  create(caller: UserCaller, input: FeedbackInput): Promise<FeedbackRow> {
    requireUserId(caller.userId);
    return this.upsert(caller.userId, this.fields(input, true) as FeedbackFields & { type: string });
  }

  async get(caller: UserCaller, id: string): Promise<FeedbackRow> {
    const row = isUuid(id) ? await this.feedbacks.find(id, this.scope(caller)) : null;
    if (!row) throw noSuchFeedback();
    return row;
  }

  /** Open WebUI's update: the fields sent replace the stored ones; those left out stay. */
  async update(caller: UserCaller, id: string, input: FeedbackInput): Promise<FeedbackRow> {
    const row = await this.get(caller, id);
    const fields = this.fields(input, false);
    if (input.metaJson === '') {
      delete fields.chatId;
      delete fields.messageId;
    }
    try {
      return await this.feedbacks.update(row.id, fields);
    } catch (error) {
      if (!this.isUniqueClash(error)) throw error;
      throw new DomainError(
        ErrorKind.InvalidArgument,
        'Another feedback of this user already rates that message (meta.chat_id, meta.message_id).',
      );
    }
  }

  async delete(caller: UserCaller, id: string): Promise<void> {
    if (!isUuid(id) || !(await this.feedbacks.delete(id, this.scope(caller)))) throw noSuchFeedback();
  }

  listMine(caller: UserCaller): Promise<FeedbackRow[]> {
    requireUserId(caller.userId);
    return this.feedbacks.listOf(caller.userId);
  }

  async deleteMine(caller: UserCaller): Promise<boolean> {
    requireUserId(caller.userId);
    return (await this.feedbacks.deleteMany(caller.userId)) > 0;
  }

  listAll(
    caller: UserCaller,
    request: { page: number; pageSize: number; orderBy: string; direction: string },
  ): Promise<{ rows: FeedbackRow[]; total: number }> {
    this.requireAdmin(caller, 'list every feedback');
    if (request.page < 0) throw new DomainError(ErrorKind.InvalidArgument, 'page must be 1 or more.');
    if (request.pageSize < 0 || request.pageSize > MAX_PAGE_SIZE)
      throw new DomainError(ErrorKind.InvalidArgument, `page_size must be 1 to ${MAX_PAGE_SIZE}.`);
    if (request.direction && !['asc', 'desc'].includes(request.direction))
      throw new DomainError(ErrorKind.InvalidArgument, 'direction must be "asc" or "desc".');
    // An order Parley does not sort by (Open WebUI's table also sorts by user name and model) falls
    // back to the newest first rather than failing the admin screen.
    const order = ORDERS.has(request.orderBy as FeedbackOrder)
      ? (request.orderBy as FeedbackOrder)
      : 'updated_at';
    const direction = request.direction === 'asc' ? 'asc' : 'desc';
    const size = request.pageSize || PAGE_SIZE;
    return this.feedbacks.page((Math.max(request.page, 1) - 1) * size, size, order, direction);
  }

  async deleteAll(caller: UserCaller): Promise<boolean> {
    this.requireAdmin(caller, 'delete every feedback');
    return (await this.feedbacks.deleteMany()) > 0;
  }

  export(caller: UserCaller): AsyncGenerator<FeedbackText> {
    this.requireAdmin(caller, 'export the feedback');
    return this.feedbacks.exportRows(BATCH);
  }

  /**
   * The Elo leaderboard over every head-to-head rating, oldest first. With a query, only ratings with
   * a tag containing it count (Open WebUI weighs them by an embedding similarity instead).
   */
  async leaderboard(caller: UserCaller, query = ''): Promise<LeaderboardRow[]> {
    this.requireAdmin(caller, 'see the leaderboard');
    const needle = query.trim().toLowerCase();
    if (needle.length > MAX_TYPE_LENGTH)
      throw new DomainError(ErrorKind.InvalidArgument, `query is longer than ${MAX_TYPE_LENGTH} characters.`);
    const answers: RatedAnswer[] = [];
    for await (const row of this.feedbacks.ratings(RATINGS_BATCH)) {
      const answer: RatedAnswer = {
        modelId: row.modelId,
        siblingModelIds: strings(row.siblingModelIds),
        rating: row.rating === '1' ? 1 : -1,
        tags: strings(row.tags),
      };
      if (!needle || answer.tags.some((t) => t.toLowerCase().includes(needle))) answers.push(answer);
    }
    return leaderboard(answers);
  }

  /**
   * The thumbs on a message as its feedback row: rating 1/-1 writes the user's row for the message
   * (the rated model against the models of its sibling answers), 0 removes it. Returns the row's id,
   * or null when there is none now.
   */
  async fromThumb(
    userId: string,
    target: { chatId: string; messageId: string; modelId: string | null; siblingModelIds: string[] },
    thumb: { rating: number; reason: string; comment: string },
  ): Promise<string | null> {
    const existing = await this.feedbacks.findForMessage(userId, target.chatId, target.messageId);
    if (thumb.rating === 0) {
      if (existing) await this.feedbacks.delete(existing.id, userId);
      return null;
    }
    const data = {
      ...asObject(existing?.data),
      rating: thumb.rating,
      model_id: target.modelId,
      sibling_model_ids: target.siblingModelIds,
      ...(thumb.reason ? { reason: thumb.reason } : {}),
      ...(thumb.comment ? { comment: thumb.comment } : {}),
    };
    const meta = { ...asObject(existing?.meta), chat_id: target.chatId, message_id: target.messageId };
    const row = await this.upsert(userId, {
      type: existing?.type ?? 'rating',
      data,
      meta,
      chatId: target.chatId,
      messageId: target.messageId,
      ...(existing ? {} : { snapshot: null }),
    });
    return row.id;
  }

  async getConfig(caller: UserCaller): Promise<EvaluationConfigView> {
    this.requireAdmin(caller, 'read the evaluation settings');
    const stored = await this.feedbacks.config();
    return stored
      ? { enableArenaModels: stored.enableArenaModels, arenaModels: strictArray(stored.arenaModels) }
      : DEFAULT_CONFIG;
  }

  async updateConfig(
    caller: UserCaller,
    input: { enableArenaModels?: boolean; arenaModelsJson: string },
  ): Promise<EvaluationConfigView> {
    const current = await this.getConfig(caller);
    let arenaModels = current.arenaModels;
    if (input.arenaModelsJson) {
      const parsed = parseJsonObject(`{"models":${input.arenaModelsJson}}`, 'EVALUATION_ARENA_MODELS').models;
      if (!Array.isArray(parsed) || parsed.some((m) => !m || typeof m !== 'object' || Array.isArray(m)))
        throw new DomainError(
          ErrorKind.InvalidArgument,
          'EVALUATION_ARENA_MODELS must be a list of objects.',
        );
      if (input.arenaModelsJson.length > this.config.CHAT_MAX_MESSAGE_BYTES)
        throw new DomainError(ErrorKind.PayloadTooLarge, 'EVALUATION_ARENA_MODELS is too large.');
      arenaModels = parsed;
    }
    const next = { enableArenaModels: input.enableArenaModels ?? current.enableArenaModels, arenaModels };
    await this.feedbacks.saveConfig(next);
    return next;
  }

  /** A new row, or, for a message the user has rated before, that row updated. */
  private async upsert(userId: string, fields: FeedbackFields & { type: string }): Promise<FeedbackRow> {
    if (fields.chatId && fields.messageId) {
      const existing = await this.feedbacks.findForMessage(userId, fields.chatId, fields.messageId);
      if (existing) return this.feedbacks.update(existing.id, fields);
    }
    try {
      return await this.feedbacks.create(randomUUID(), userId, fields);
    } catch (error) {
      // Two first ratings of one message at once: the loser updates the winner's row.
      if (!this.isUniqueClash(error) || !fields.chatId || !fields.messageId) throw error;
      const existing = await this.feedbacks.findForMessage(userId, fields.chatId, fields.messageId);
      if (!existing) throw error;
      return this.feedbacks.update(existing.id, fields);
    }
  }

  /** The owner's rows only, unless the caller is an admin. */
  private scope(caller: UserCaller): string | undefined {
    if (caller.role === 'admin') return undefined;
    requireUserId(caller.userId);
    return caller.userId;
  }

  private requireAdmin(caller: UserCaller, what: string): void {
    if (caller.role !== 'admin')
      throw new DomainError(ErrorKind.PermissionDenied, `Only an administrator may ${what}.`);
  }

  /** Parses and checks a create or update; on update an empty field is left out (kept as stored). */
  private fields(input: FeedbackInput, creating: boolean): FeedbackFields {
    const fields: FeedbackFields = {};
    const type = input.type.trim();
    if (creating && !type) throw new DomainError(ErrorKind.InvalidArgument, 'type must not be empty.');
    if (type.length > MAX_TYPE_LENGTH)
      throw new DomainError(ErrorKind.InvalidArgument, `type is longer than ${MAX_TYPE_LENGTH} characters.`);
    if (type) fields.type = type;
    if (input.dataJson.length + input.metaJson.length > this.config.CHAT_MAX_MESSAGE_BYTES)
      throw new DomainError(
        ErrorKind.PayloadTooLarge,
        `data and meta are larger than ${this.config.CHAT_MAX_MESSAGE_BYTES} bytes together.`,
      );
    if (input.snapshotJson.length > this.config.CHAT_MAX_DOCUMENT_BYTES)
      throw new DomainError(
        ErrorKind.PayloadTooLarge,
        `snapshot is larger than ${this.config.CHAT_MAX_DOCUMENT_BYTES} bytes.`,
      );
    if (input.dataJson) fields.data = checkedData(parseJsonObject(input.dataJson, 'data'));
    else if (creating) fields.data = null;
    if (input.metaJson) {
      const meta = parseJsonObject(input.metaJson, 'meta');
      fields.meta = meta;
      fields.chatId = lifted(meta.chat_id, 'meta.chat_id');
      fields.messageId = lifted(meta.message_id, 'meta.message_id');
    } else if (creating) fields.meta = null;
    if (input.snapshotJson) fields.snapshot = parseJsonObject(input.snapshotJson, 'snapshot');
    else if (creating) fields.snapshot = null;
    return fields;
  }

  private isUniqueClash(error: unknown): boolean {
    return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
  }
}

function lifted(value: unknown, what: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > MAX_ID_LENGTH)
    throw new DomainError(
      ErrorKind.InvalidArgument,
      `${what} must be text of at most ${MAX_ID_LENGTH} characters.`,
    );
  return value;
}

/** The fields the leaderboard reads must have their types; the rest is kept as sent (as Open WebUI). */
function checkedData(data: Record<string, unknown>): Record<string, unknown> {
  const { rating, model_id: modelId, sibling_model_ids: siblings } = data;
  if (rating !== undefined && rating !== null) {
    const value = typeof rating === 'string' && /^-?\d+$/.test(rating) ? Number(rating) : rating;
    if (value !== -1 && value !== 0 && value !== 1)
      throw new DomainError(ErrorKind.InvalidArgument, 'data.rating must be 1 (good), -1 (bad) or 0 (none).');
    data = { ...data, rating: value };
  }
  if (
    modelId !== undefined &&
    modelId !== null &&
    (typeof modelId !== 'string' || modelId.length > MAX_ID_LENGTH)
  )
    throw new DomainError(
      ErrorKind.InvalidArgument,
      `data.model_id must be text of at most ${MAX_ID_LENGTH} characters.`,
    );
  if (
    siblings !== undefined &&
    siblings !== null &&
    (!Array.isArray(siblings) ||
      siblings.length > MAX_MODEL_IDS ||
      siblings.some((s) => typeof s !== 'string' || s.length > MAX_ID_LENGTH))
  )
    throw new DomainError(
      ErrorKind.InvalidArgument,
      `data.sibling_model_ids must be a list of at most ${MAX_MODEL_IDS} model ids.`,
    );
  return data;
}

function strictArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
