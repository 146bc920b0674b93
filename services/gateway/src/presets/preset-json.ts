import { z } from '@parley/config';
import { presetsV1 } from '@parley/proto';
import {
  accessControlForm,
  accessControlJson,
  accessControlToProto,
  idList as ids,
} from '../access/access-control-json';
const num = (what: string) =>
  z
    .number({ invalid_type_error: `must be ${what}` })
    .nullable()
    .optional();

/** Open WebUI's ModelForm, with the parameters presets support. */
export const presetForm = z.object({
  id: z.string({ invalid_type_error: 'must be a string' }).min(1, 'must not be empty').optional(),
  base_model_id: z
    .string({ invalid_type_error: 'must be a model id', required_error: 'is required' })
    .min(1, 'must not be empty'),
  name: z.string({ invalid_type_error: 'must be a string' }).min(1, 'must not be empty'),
  meta: z
    .object({
      description: z.string({ invalid_type_error: 'must be a string' }).nullable().optional(),
      knowledge: z
        .array(z.union([z.string(), z.object({ id: z.string() }).passthrough()]), {
          invalid_type_error: 'must be a list of knowledge ids or {id} objects',
        })
        .nullable()
        .optional(),
    })
    .passthrough()
    .default({}),
  params: z
    .object({
      system: z.string({ invalid_type_error: 'must be a string' }).nullable().optional(),
      temperature: num('a number'),
      top_p: num('a number'),
      max_tokens: z
        .number({ invalid_type_error: 'must be a whole number' })
        .int('must be a whole number')
        .nullable()
        .optional(),
      seed: z
        .number({ invalid_type_error: 'must be a whole number' })
        .int('must be a whole number')
        .nullable()
        .optional(),
      stop: z
        .union([z.string(), z.array(z.string())], {
          invalid_type_error: 'must be a string or a list of strings',
        })
        .nullable()
        .optional(),
    })
    .strict('supports only system, temperature, top_p, max_tokens, seed and stop')
    .default({}),
  knowledge_ids: ids.optional(),
  access_control: accessControlForm,
  is_active: z.boolean({ invalid_type_error: 'must be true or false' }).default(true),
});
export type PresetForm = z.infer<typeof presetForm>;

/** The form as the model gateway's PresetInput. */
export function presetInput(form: PresetForm, id: string) {
  const { description, knowledge, ...meta } = form.meta;
  const knowledgeIds = form.knowledge_ids ?? (knowledge ?? []).map((k) => (typeof k === 'string' ? k : k.id));
  const p = form.params;
  return {
    id,
    baseModelId: form.base_model_id,
    name: form.name,
    description: description ?? '',
    systemPrompt: p.system ?? '',
    params: {
      temperature: p.temperature ?? undefined,
      topP: p.top_p ?? undefined,
      maxTokens: p.max_tokens ?? undefined,
      seed: p.seed === null || p.seed === undefined ? undefined : BigInt(p.seed),
      stop: p.stop === null || p.stop === undefined ? [] : typeof p.stop === 'string' ? [p.stop] : p.stop,
    },
    knowledgeIds,
    accessControl: accessControlToProto(form.access_control),
    isActive: form.is_active,
    metaJson: JSON.stringify(knowledge ? { ...meta, knowledge } : meta),
  };
}

/** A preset in Open WebUI's model shape (ModelModel plus write_access), with knowledge_ids. */
export function presetJson(p: presetsV1.Preset) {
  let meta: Record<string, unknown> = {};
  try {
    meta = JSON.parse(p.metaJson || '{}') as Record<string, unknown>;
  } catch {
    // leave it empty
  }
  const params: {
    system?: string;
    temperature?: number;
    top_p?: number;
    max_tokens?: number;
    seed?: number;
    stop?: string[];
  } = {};
  if (p.systemPrompt) params.system = p.systemPrompt;
  if (p.params?.temperature !== undefined) params.temperature = p.params.temperature;
  if (p.params?.topP !== undefined) params.top_p = p.params.topP;
  if (p.params?.maxTokens !== undefined) params.max_tokens = p.params.maxTokens;
  if (p.params?.seed !== undefined) params.seed = Number(p.params.seed);
  if (p.params?.stop.length) params.stop = p.params.stop;
  return {
    id: p.id,
    user_id: p.userId,
    base_model_id: p.baseModelId,
    name: p.name,
    params,
    meta: { ...meta, description: p.description || null },
    knowledge_ids: p.knowledgeIds,
    access_control: accessControlJson(p.accessControl),
    is_active: p.isActive,
    created_at: Number(p.createdAt),
    updated_at: Number(p.updatedAt),
    write_access: p.writable,
  };
}
