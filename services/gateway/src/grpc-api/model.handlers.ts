import type { ServiceHandlers } from '@parley/grpc';
import { apiV1Models, modelGatewayV1 } from '@parley/proto';
import type { DownstreamClients } from '../downstream/downstream-clients';
import { usablePresets } from '../models/models.controller';
import type { ModelCatalogClients } from '../presets/model-catalog-clients';
import { userOf } from './user-of';

type ModelMethods = typeof apiV1Models.ModelService extends { method: infer M } ? M : never;

/**
 * parley.api.v1.ModelService: the model gateway's list, filtered by the caller's access rules there, and
 * the presets the caller may use (as REST's /api/models), each owned like its base model.
 */
export function modelHandlers(
  downstream: DownstreamClients,
  catalog: ModelCatalogClients,
): ServiceHandlers<ModelMethods> {
  return {
    async listModels(_request, call) {
      const options = { caller: userOf(call) };
      const [reply, visible] = await Promise.all([
        downstream.modelGateway.listModels({}, options),
        catalog.presets.listPresets({}, options),
      ]);
      const models = reply.models.map((model) => ({
        id: model.id,
        name: model.name,
        ownedBy: model.kind === modelGatewayV1.ConnectionKind.OLLAMA ? 'ollama' : 'openai',
        created: model.created,
        tags: model.tags,
      }));
      const base = new Map(models.map((m) => [m.id, m]));
      const presets = usablePresets(visible.presets, base).map((preset) => ({
        id: preset.id,
        name: preset.name,
        ownedBy: base.get(preset.baseModelId)!.ownedBy,
        created: preset.createdAt,
        baseModelId: preset.baseModelId,
        tags: [],
      }));
      return { models: [...models, ...presets] };
    },
  };
}
