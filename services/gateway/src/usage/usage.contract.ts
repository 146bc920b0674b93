import { ok, timestamp } from '../contract/common-schemas';
import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';

const tags = ['usage'] as const;
const limitParams = z.object({
  kind: z.string().openapi({ description: 'users or groups' }),
  id: z.string(),
});
const whole = (what: string, max: number) =>
  z
    .number({ invalid_type_error: 'must be a whole number or null' })
    .int('must be a whole number')
    .min(0, 'must be 0 or more')
    .max(max, `must be at most ${what}`)
    .nullable()
    .default(null);
const once = (description: string) =>
  z.string({ invalid_type_error: 'must be given once.' }).optional().openapi({ description });
const tokens = z.object({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
});
const limit = z
  .object({
    subject: z.enum(['user', 'group']),
    id: z.string(),
    requests_per_minute: z.number().int().nullable(),
    tokens_per_day: z.number().int().nullable(),
    updated_at: timestamp.optional(),
  })
  .openapi('UsageLimit');

export const usageContract = defineRoutes({
  list: defineRoute({
    method: 'get',
    path: '/api/v1/usage/',
    summary: 'Token usage per user, model and day, a page at a time (admin)',
    tags,
    auth: 'admin',
    description: 'The answer carries the page and page size it used.',
    // page and limit stay text here: the usage service words the limits of a page (1..500). The
    // query's errors have answered INVALID_ARGUMENT since before the contracts.
    invalidInputCode: { query: 'INVALID_ARGUMENT' },
    query: z.object({
      user_id: once('Only this user'),
      model: once('Only this model'),
      from: once('From this day (YYYY-MM-DD)'),
      to: once('To this day (YYYY-MM-DD)'),
      page: once('Page number, from 1'),
      limit: once('Page size'),
    }),
    responses: {
      200: {
        description: 'A page of usage rows and the totals over every match',
        schema: z
          .object({
            items: z.array(
              tokens
                .extend({
                  user_id: z.string(),
                  model: z.string(),
                  date: z.string(),
                  requests: z.number().int(),
                  estimated_requests: z.number().int(),
                })
                .openapi('UsageRow'),
            ),
            total: z.number().int(),
            page: z.number().int(),
            limit: z.number().int().openapi({ description: 'The page size' }),
            totals: tokens.extend({ requests: z.number().int() }),
          })
          .openapi('UsagePage'),
      },
    },
  }),
  limits: defineRoute({
    method: 'get',
    path: '/api/v1/usage/limits',
    summary: 'The quotas: defaults, per user and per group (admin)',
    tags,
    auth: 'admin',
    responses: {
      200: {
        description: 'The quotas',
        schema: z
          .object({
            defaults: z.object({
              requests_per_minute: z.number().int().nullable(),
              tokens_per_day: z.number().int().nullable(),
            }),
            users: z.array(limit),
            groups: z.array(limit),
          })
          .openapi('UsageLimits'),
      },
    },
  }),
  set: defineRoute({
    method: 'post',
    path: '/api/v1/usage/limits/{kind}/{id}',
    summary: 'Set the quota of a user or group; null inherits (admin)',
    tags,
    auth: 'admin',
    params: limitParams,
    body: z
      .object({
        requests_per_minute: whole('1000000', 1_000_000),
        tokens_per_day: whole('1000000000000', 1_000_000_000_000),
      })
      .strict('may only have requests_per_minute and tokens_per_day'),
    responses: { 200: { description: 'The quota', schema: limit } },
  }),
  remove: defineRoute({
    method: 'delete',
    path: '/api/v1/usage/limits/{kind}/{id}',
    summary: 'Remove the quota of a user or group (admin)',
    tags,
    auth: 'admin',
    params: limitParams,
    responses: { 200: { description: 'Removed', schema: ok } },
  }),
});
