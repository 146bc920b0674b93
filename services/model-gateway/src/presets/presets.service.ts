import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';
import { ModelsService } from '../models/models.service';
import { Accessor, canRead, canWrite } from '@parley/grpc';
import { applyPreset, Preset, PresetInput, validatePresetInput } from './preset';
import { PresetsRepository } from './presets.repository';

export type VisiblePreset = Preset & { writable: boolean };

const notFound = (id: string) =>
  new DomainError(ErrorKind.NotFound, `Model not found: ${id}`, { code: 'MODEL_NOT_FOUND' });

/**
 * Presets and who may use them. A preset the caller may not read does not exist for them: it is left
 * out of lists and answers "not found", so its name never leaks. Admins read and write everything;
 * BYPASS_MODEL_ACCESS_CONTROL lets every user read (and call) every preset, as in Open WebUI.
 */
@Injectable()
export class PresetsService {
  constructor(
    @Inject(PresetsRepository) private readonly presets: PresetsRepository,
    @Inject(ModelsService) private readonly models: ModelsService,
    @Inject(MODEL_GATEWAY_CONFIG) private readonly config: ModelGatewayConfig,
  ) {}

  private readable(who: Accessor, preset: Preset): boolean {
    return canRead(who, preset, this.config.BYPASS_MODEL_ACCESS_CONTROL);
  }

  private view(who: Accessor, preset: Preset): VisiblePreset {
    return { ...preset, writable: canWrite(who, preset) };
  }

  async list(who: Accessor): Promise<VisiblePreset[]> {
    return (await this.presets.all()).filter((p) => this.readable(who, p)).map((p) => this.view(who, p));
  }

  async get(who: Accessor, id: string): Promise<VisiblePreset> {
    const preset = await this.presets.get(id);
    if (!preset || !this.readable(who, preset)) throw notFound(id);
    return this.view(who, preset);
  }

  async create(who: Accessor, input: PresetInput): Promise<VisiblePreset> {
    validatePresetInput(input);
    const baseIds = new Set((await this.models.list()).map((m) => m.id));
    if (baseIds.has(input.id))
      throw new DomainError(
        ErrorKind.InvalidArgument,
        `The id "${input.id}" is already a model of a connection; choose another id for the preset.`,
      );
    await this.checkBase(input.baseModelId);
    return this.view(who, await this.presets.create(who.userId, input));
  }

  async update(who: Accessor, id: string, input: PresetInput): Promise<VisiblePreset> {
    const existing = await this.writableOrThrow(who, id);
    if (input.id && input.id !== id)
      throw new DomainError(ErrorKind.InvalidArgument, 'A preset id cannot change; create a new preset.');
    const next = { ...input, id };
    validatePresetInput(next);
    if (next.baseModelId !== existing.baseModelId) await this.checkBase(next.baseModelId);
    const updated = await this.presets.update(id, next);
    if (!updated) throw notFound(id);
    return this.view(who, updated);
  }

  async delete(who: Accessor, id: string): Promise<void> {
    await this.writableOrThrow(who, id);
    if (!(await this.presets.delete(id))) throw notFound(id);
  }

  /**
   * A completion request as it goes upstream: a preset id becomes its base model with the preset's
   * system prompt and parameters; a base model id passes unchanged. A preset the caller may not read,
   * or one switched off, is "not found".
   */
  async forCompletion<T extends Record<string, unknown> & { model: string }>(
    who: Accessor,
    body: T,
  ): Promise<{ body: T; preset?: Preset }> {
    const preset = await this.presets.get(body.model);
    if (!preset) return { body };
    if (!preset.isActive || !this.readable(who, preset)) throw notFound(body.model);
    return { body: applyPreset(body, preset), preset };
  }

  private async writableOrThrow(who: Accessor, id: string): Promise<Preset> {
    const preset = await this.presets.get(id);
    if (!preset || !this.readable(who, preset)) throw notFound(id);
    if (!canWrite(who, preset))
      throw new DomainError(
        ErrorKind.PermissionDenied,
        `You may use the preset "${id}" but not change it; ask its owner or an administrator.`,
      );
    return preset;
  }

  /**
   * A base must not be a preset. It need not be served today (Open WebUI stores it too): a connection
   * may be down or not yet added; until one serves it, calling the preset answers "model not found".
   */
  private async checkBase(baseModelId: string): Promise<void> {
    if (await this.presets.get(baseModelId))
      throw new DomainError(
        ErrorKind.InvalidArgument,
        `base_model_id "${baseModelId}" is a preset; a preset must build on a model of a connection.`,
      );
  }
}
