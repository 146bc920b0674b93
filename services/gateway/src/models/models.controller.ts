import { Controller, Inject, Req } from '@nestjs/common';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { modelGatewayV1, presetsV1 } from '@parley/proto';
import type { RouteResult as Result } from '../contract/route-contract';
import { Route } from '../contract/route.decorator';
import { DownstreamClients } from '../downstream/downstream-clients';
import { InstanceSettings } from '../app-config/instance-settings';
import { ModelCatalogClients } from '../presets/model-catalog-clients';
import { presetJson } from '../presets/preset-json';
import { modelsContract as c } from './models.contract';

/** A model in Open WebUI's /api/models shape (OpenAI's model object plus where it comes from). */
export function modelJson(model: modelGatewayV1.Model) {
  const ollama = model.kind === modelGatewayV1.ConnectionKind.OLLAMA;
  let upstream: unknown = {};
  try {
    upstream = JSON.parse(model.upstreamJson);
  } catch {
    // leave it empty
  }
  return {
    id: model.id,
    name: model.name,
    object: 'model' as const,
    created: Number(model.created),
    owned_by: ollama ? ('ollama' as const) : ('openai' as const),
    connection_type: model.connectionType === 'local' ? ('local' as const) : ('external' as const),
    ...(model.tags.length ? { tags: model.tags.map((name) => ({ name })) } : {}),
    ...(ollama
      ? { ollama: upstream, urls: model.urlIndexes }
      : { openai: upstream, urlIdx: model.urlIndexes[0] ?? 0 }),
  };
}

/**
 * A preset as an entry of /api/models (Open WebUI lists its workspace models there with `info`): owned
 * like its base model, which it needs to be callable.
 */
export function presetModelJson(preset: presetsV1.Preset, base: ReturnType<typeof modelJson>) {
  return {
    id: preset.id,
    name: preset.name,
    object: 'model' as const,
    created: Number(preset.createdAt),
    owned_by: base.owned_by,
    connection_type: base.connection_type,
    preset: true as const,
    info: presetJson(preset),
  };
}

/**
 * The presets a model list shows (REST's /api/models and the gRPC API's ListModels): active, with their
 * base model served today, and not shadowed by a connection's model of the same id.
 */
export function usablePresets(presets: presetsV1.Preset[], base: Map<string, unknown>): presetsV1.Preset[] {
  return presets.filter((p) => p.isActive && base.has(p.baseModelId) && !base.has(p.id));
}

/**
 * Open WebUI's model list: every connection's models, merged with the active presets the caller may use
 * whose base model is there; a dead upstream is left out, not waited for.
 */
/**
 * The admin's MODEL_ORDER_LIST first, in its order (as Open WebUI sorts /api/models); the models it does
 * not name keep their order after them.
 */
function inOrder<T extends { id: string }>(models: T[], order: string[]): T[] {
  if (!order.length) return models;
  const rank = new Map(order.map((id, i) => [id, i]));
  return models
    .map((model, i) => ({ model, key: rank.get(model.id) ?? order.length + i }))
    .sort((a, b) => a.key - b.key)
    .map(({ model }) => model);
}

@Controller()
export class ModelsController {
  constructor(
    @Inject(DownstreamClients) private readonly downstream: DownstreamClients,
    @Inject(ModelCatalogClients) private readonly catalog: ModelCatalogClients,
    @Inject(InstanceSettings) private readonly settings: InstanceSettings,
  ) {}

  @Route(c.list, c.listV1, c.workspace)
  async list(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.list> | Result<typeof c.workspace>> {
    const options = { caller: req.caller };
    const presets = this.catalog.presets.listPresets({}, options);
    // Open WebUI: `/api/v1/models/` (with the slash) is the workspace's preset list, not the model list.
    if (req.path.endsWith('/') && req.path.startsWith('/api/v1/'))
      return (await presets).presets.map(presetJson);
    const [reply, visible, { MODEL_ORDER_LIST: order }] = await Promise.all([
      this.downstream.modelGateway.listModels({}, options),
      presets,
      // The order is a nicety: with the auth service unreachable the list still answers, unordered.
      this.settings.get().catch(() => ({ MODEL_ORDER_LIST: [] as string[] })),
    ]);
    const base = new Map(reply.models.map((m) => [m.id, modelJson(m)]));
    const fromPresets = usablePresets(visible.presets, base).map((p) =>
      presetModelJson(p, base.get(p.baseModelId)!),
    );
    return { object: 'list' as const, data: inOrder([...base.values(), ...fromPresets], order) };
  }

  @Route(c.base)
  async base(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.base>> {
    const reply = await this.downstream.modelGateway.listModels({}, { caller: req.caller });
    return { object: 'list' as const, data: reply.models.map(modelJson) };
  }

  /** Parley keeps a base model's settings in presets: there is never a stored base model to list. */
  @Route(c.baseSettings)
  baseSettings(): Result<typeof c.baseSettings> {
    return [];
  }
}
