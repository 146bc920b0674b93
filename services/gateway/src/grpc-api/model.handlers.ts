import type { ServiceHandlers } from '@parley/grpc';
import { apiV1Models, modelGatewayV1 } from '@parley/proto';
import type { DownstreamClients } from '../downstream/downstream-clients';
import { userOf } from './user-of';

type ModelMethods = typeof apiV1Models.ModelService extends { method: infer M } ? M : never;

/** parley.api.v1.ModelService: the model gateway's list, filtered by the caller's access rules there. */
export function modelHandlers(downstream: DownstreamClients): ServiceHandlers<ModelMethods> {
  return {
    async listModels(_request, call) {
      const reply = await downstream.modelGateway.listModels({}, { caller: userOf(call) });
      return {
        models: reply.models.map((model) => ({
          id: model.id,
          name: model.name,
          ownedBy: model.kind === modelGatewayV1.ConnectionKind.OLLAMA ? 'ollama' : 'openai',
          created: model.created,
        })),
      };
    },
  };
}
