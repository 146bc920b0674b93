import { z } from '@parley/config';

// Request schemas of the /api/v1/files routes (Open WebUI's query parameters and bodies).

const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false'], { errorMap: () => ({ message: 'must be true or false' }) })
    .transform((value) => value === 'true')
    .default(fallback ? 'true' : 'false');

export const uploadQuery = z.object({
  process: flag(true),
  // Open WebUI's; processing always runs in the background here (a durable job), so it changes nothing.
  process_in_background: flag(true),
});

export const listQuery = z.object({ content: flag(true) });

export const contentQuery = z.object({ attachment: flag(false) });

export const statusQuery = z.object({ stream: flag(false) });

export const contentUpdateBody = z.object({
  content: z.string({ required_error: 'is required', invalid_type_error: 'must be text' }),
});

/** The multipart `metadata` field: a JSON object (Open WebUI sends JSON text). */
export const metadataField = z
  .string()
  .max(64 * 1024, 'must be at most 64 KiB')
  .refine(
    (text) => {
      try {
        const value: unknown = JSON.parse(text);
        return value === null || (typeof value === 'object' && !Array.isArray(value));
      } catch {
        return false;
      }
    },
    { message: 'must be a JSON object' },
  );
