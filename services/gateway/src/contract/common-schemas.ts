import { z } from './zod-openapi';

/** Every REST error: a sentence for people and a stable code for programs (docs/contracts.md). */
export const errorBody = z
  .object({ detail: z.string(), code: z.string() })
  .passthrough()
  .openapi('ErrorBody');

export const jsonObject = z.record(z.unknown(), {
  invalid_type_error: 'must be a JSON object',
  required_error: 'is required',
});

/** Epoch seconds. */
export const timestamp = z.number().int();

/** A 1-based page number of a list route; its page size is in the X-Page-Size response header. */
export const pageNumber = z.coerce
  .number({ invalid_type_error: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be 1 or more')
  .max(100_000);

export const queryFlag = z
  .enum(['true', 'false'], { errorMap: () => ({ message: 'must be true or false' }) })
  .transform((v) => v === 'true');

/** Length-limited text with the messages the gateway has always answered with. */
export const text = (max: number) =>
  z.string({ invalid_type_error: 'must be a string' }).max(max, `must be at most ${max} characters`);

export const ok = z.boolean().openapi({ description: 'true when done' });

export const PAGE_SIZE_HEADER = 'X-Page-Size';
export const pagedHeaders = {
  [PAGE_SIZE_HEADER]:
    'How many items a full page holds; a page with fewer is the last one (the client never assumes a size).',
};

const accessRule = z.object({ group_ids: z.array(z.string()), user_ids: z.array(z.string()) });
/** Open WebUI's access_control in answers: null is public, rules with empty lists private. */
export const accessControl = z.object({ read: accessRule, write: accessRule }).nullable();
