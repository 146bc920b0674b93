import { ok, text, timestamp } from '../contract/common-schemas';
import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';

// Open WebUI's /api/v1/evaluations routes (v0.6 shapes, with the newer leaderboard and paged list) over
// the chat service, which owns the feedback rows and decides who may read and change them.

const tags = ['evaluations'] as const;
const feedbackId = z.object({ id: z.string().max(100, 'must be at most 100 characters') });
const record = z.record(z.unknown());
const modelIds = z
  .array(text(200), { invalid_type_error: 'must be a list of model ids' })
  .max(100, 'must list at most 100 models');
const tagList = z
  .array(text(100), { invalid_type_error: 'must be a list of tags' })
  .max(50, 'must hold at most 50 tags');

/** 1 (good), -1 (bad) or 0 (none); Open WebUI also takes them as text. */
const rating = z.union([z.number().int().min(-1).max(1), z.enum(['-1', '0', '1']).transform(Number)], {
  errorMap: () => ({ message: 'must be 1 (good), -1 (bad) or 0 (none)' }),
});

/** Open WebUI's RatingData: the fields it names, anything else kept as sent. */
const ratingData = z
  .object({
    rating: rating.nullish(),
    model_id: text(200).nullish(),
    sibling_model_ids: modelIds.nullish(),
    reason: text(1_000).nullish(),
    comment: text(10_000).nullish(),
    tags: tagList.nullish(),
    details: record.nullish(),
  })
  .passthrough();

const metaData = z
  .object({
    arena: z.boolean({ invalid_type_error: 'must be true or false' }).nullish(),
    chat_id: text(200).nullish(),
    message_id: text(200).nullish(),
    tags: tagList.nullish(),
  })
  .passthrough();

const snapshotData = z.object({ chat: record.nullish() }).passthrough();

/** Open WebUI's FeedbackForm. */
export const feedbackForm = z
  .object({
    type: z
      .string({ required_error: 'is required', invalid_type_error: 'must be text' })
      .min(1, 'must not be empty')
      .max(100, 'must be at most 100 characters'),
    data: ratingData.nullish(),
    meta: metaData.nullish(),
    snapshot: snapshotData.nullish(),
  })
  .passthrough()
  .openapi('FeedbackForm');

/** Open WebUI's FeedbackModel (what create, get, update and the export answer). */
export const feedback = z
  .object({
    id: z.string(),
    user_id: z.string(),
    version: z.number().int(),
    type: z.string(),
    data: record.nullable(),
    meta: record.nullable(),
    snapshot: record.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .openapi('Feedback');

/** Open WebUI's FeedbackUserResponse: no snapshot, and (in admin lists) the author's public profile. */
export const feedbackWithUser = feedback
  .omit({ snapshot: true })
  .extend({
    user: z.object({ id: z.string(), name: z.string(), profile_image_url: z.string() }).nullable(),
  })
  .openapi('FeedbackWithUser');

const evaluationConfig = z
  .object({
    ENABLE_EVALUATION_ARENA_MODELS: z.boolean(),
    EVALUATION_ARENA_MODELS: z.array(record),
  })
  .openapi('EvaluationConfig');

const leaderboardEntry = z
  .object({
    model_id: z.string(),
    rating: z.number().int(),
    won: z.number().int(),
    lost: z.number().int(),
    count: z.number().int(),
    top_tags: z.array(z.object({ tag: z.string(), count: z.number().int() })),
  })
  .openapi('LeaderboardEntry');

const oneFeedback = { 200: { description: 'The feedback', schema: feedback } };

export const evaluationsContract = defineRoutes({
  getConfig: defineRoute({
    method: 'get',
    path: '/api/v1/evaluations/config',
    summary: 'The evaluation settings',
    tags,
    auth: 'admin',
    responses: { 200: { description: 'The settings', schema: evaluationConfig } },
  }),
  updateConfig: defineRoute({
    method: 'post',
    path: '/api/v1/evaluations/config',
    summary: 'Change the evaluation settings (the fields sent)',
    tags,
    auth: 'admin',
    body: z.object({
      ENABLE_EVALUATION_ARENA_MODELS: z.boolean({ invalid_type_error: 'must be true or false' }).nullish(),
      EVALUATION_ARENA_MODELS: z
        .array(z.record(z.unknown(), { invalid_type_error: 'must be a JSON object' }), {
          invalid_type_error: 'must be a list of arena models',
        })
        .max(100, 'must list at most 100 arena models')
        .nullish(),
    }),
    responses: { 200: { description: 'The settings now', schema: evaluationConfig } },
  }),
  leaderboard: defineRoute({
    method: 'get',
    path: '/api/v1/evaluations/leaderboard',
    summary: 'An Elo rating per model from head-to-head ratings, highest first',
    tags,
    auth: 'admin',
    query: z.object({ query: text(100).optional() }),
    responses: {
      200: { description: 'The leaderboard', schema: z.object({ entries: z.array(leaderboardEntry) }) },
    },
  }),
  listAll: defineRoute({
    method: 'get',
    path: '/api/v1/evaluations/feedbacks/all',
    summary: "Every user's feedback, newest first",
    tags,
    auth: 'admin',
    responses: { 200: { description: 'The feedback', schema: z.array(feedbackWithUser) } },
  }),
  listPage: defineRoute({
    method: 'get',
    path: '/api/v1/evaluations/feedbacks/list',
    summary: "A page (30) of every user's feedback, with the total",
    tags,
    auth: 'admin',
    query: z.object({
      order_by: text(50).optional(),
      direction: z.enum(['asc', 'desc'], { errorMap: () => ({ message: 'must be asc or desc' }) }).optional(),
      page: z.coerce
        .number({ invalid_type_error: 'must be a number' })
        .int('must be a whole number')
        .min(1, 'must be 1 or more')
        .max(100_000)
        .default(1),
    }),
    responses: {
      200: {
        description: 'The page',
        schema: z.object({ items: z.array(feedbackWithUser), total: z.number().int() }),
      },
    },
  }),
  deleteAll: defineRoute({
    method: 'delete',
    path: '/api/v1/evaluations/feedbacks/all',
    summary: "Delete every user's feedback",
    tags,
    auth: 'admin',
    responses: { 200: { description: 'Whether there was any', schema: ok } },
  }),
  exportAll: defineRoute({
    method: 'get',
    path: '/api/v1/evaluations/feedbacks/all/export',
    summary: 'Every feedback with its snapshot, newest first (streamed)',
    tags,
    auth: 'admin',
    responses: { 200: { description: 'Every feedback', schema: z.array(feedback) } },
  }),
  listMine: defineRoute({
    method: 'get',
    path: '/api/v1/evaluations/feedbacks/user',
    summary: 'My feedback, newest first',
    tags,
    auth: 'user',
    responses: { 200: { description: 'My feedback', schema: z.array(feedbackWithUser) } },
  }),
  deleteMine: defineRoute({
    method: 'delete',
    path: '/api/v1/evaluations/feedbacks',
    summary: 'Delete all my feedback',
    tags,
    auth: 'user',
    responses: { 200: { description: 'Whether I had any', schema: ok } },
  }),
  create: defineRoute({
    method: 'post',
    path: '/api/v1/evaluations/feedback',
    summary: 'Rate an answer (a message already rated by me: that feedback, updated)',
    tags,
    auth: 'user',
    body: feedbackForm,
    responses: oneFeedback,
  }),
  get: defineRoute({
    method: 'get',
    path: '/api/v1/evaluations/feedback/{id}',
    summary: 'A feedback of mine (admins: any)',
    tags,
    auth: 'user',
    params: feedbackId,
    responses: oneFeedback,
  }),
  update: defineRoute({
    method: 'post',
    path: '/api/v1/evaluations/feedback/{id}',
    summary: 'Change a feedback of mine (admins: any); fields left out stay',
    tags,
    auth: 'user',
    params: feedbackId,
    body: feedbackForm,
    responses: oneFeedback,
  }),
  delete: defineRoute({
    method: 'delete',
    path: '/api/v1/evaluations/feedback/{id}',
    summary: 'Delete a feedback of mine (admins: any)',
    tags,
    auth: 'user',
    params: feedbackId,
    responses: { 200: { description: 'Deleted', schema: ok } },
  }),
});
