import { DomainError, ErrorKind } from '@parley/errors';
import { AccessControl, checkAccessControlSize } from '@parley/grpc';

export interface PresetParams {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  seed?: number;
  stop?: string[];
}

export interface Preset {
  id: string;
  userId: string;
  baseModelId: string;
  name: string;
  description: string;
  systemPrompt: string;
  params: PresetParams;
  knowledgeIds: string[];
  accessControl: AccessControl | null;
  isActive: boolean;
  meta: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export type PresetInput = Omit<Preset, 'userId' | 'createdAt' | 'updatedAt'>;

const ID = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$/;
const bad = (message: string) => new DomainError(ErrorKind.InvalidArgument, message);

/** The rules a preset's fields follow, whichever transport brought them. */
export function validatePresetInput(input: PresetInput): void {
  if (!ID.test(input.id))
    throw bad(
      'id must be 1-128 characters: letters, digits and . _ : @ / - (starting with a letter or digit).',
    );
  if (!input.name.trim()) throw bad('name is required.');
  if (input.name.length > 200) throw bad('name must be at most 200 characters.');
  if (!input.baseModelId.trim()) throw bad('base_model_id is required: the id of a model from /api/models.');
  if (input.baseModelId === input.id) throw bad('A preset cannot be its own base model.');
  if (input.description.length > 5_000) throw bad('description must be at most 5000 characters.');
  if (input.systemPrompt.length > 100_000) throw bad('The system prompt must be at most 100000 characters.');
  const p = input.params;
  if (p.temperature !== undefined && !(p.temperature >= 0 && p.temperature <= 2))
    throw bad('params.temperature must be between 0 and 2.');
  if (p.top_p !== undefined && !(p.top_p >= 0 && p.top_p <= 1))
    throw bad('params.top_p must be between 0 and 1.');
  if (p.max_tokens !== undefined && !(Number.isInteger(p.max_tokens) && p.max_tokens >= 1))
    throw bad('params.max_tokens must be a whole number of at least 1.');
  if (p.seed !== undefined && !Number.isSafeInteger(p.seed)) throw bad('params.seed must be a whole number.');
  if (p.stop && (p.stop.length > 16 || p.stop.some((s) => !s)))
    throw bad('params.stop must be at most 16 non-empty strings.');
  if (input.knowledgeIds.length > 200 || input.knowledgeIds.some((k) => !k))
    throw bad('knowledge ids must be at most 200 non-empty strings.');
  checkAccessControlSize(input.accessControl);
}

type Json = Record<string, unknown>;

/**
 * A completion request on a preset, turned into one on its base model (as Open WebUI does): the
 * preset's parameters replace the request's, and its system prompt goes first (before the text of a
 * leading system message the request has, or as a new first message).
 */
export function applyPreset<T extends Json>(body: T, preset: Preset): T & { model: string } {
  const out: Json = { ...body, model: preset.baseModelId };
  for (const [key, value] of Object.entries(preset.params)) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    out[key] = value;
  }
  const system = preset.systemPrompt.trim();
  if (system) {
    const messages = [...((body.messages as Json[] | undefined) ?? [])];
    const first = messages[0];
    if (first?.role === 'system' && typeof first.content === 'string') {
      messages[0] = { ...first, content: `${system}\n${first.content}` };
    } else {
      messages.unshift({ role: 'system', content: system });
    }
    out.messages = messages;
  }
  return out as T & { model: string };
}
