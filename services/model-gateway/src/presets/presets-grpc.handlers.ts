import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { accessControlFromProto, accessControlToProto, GrpcServerHost, metaObjectOf } from '@parley/grpc';
import { presetsV1 } from '@parley/proto';
import { actingUser, requirePermission } from '../authorization/acting-user';
import { PresetInput } from './preset';
import { PresetsService, VisiblePreset } from './presets.service';

const seconds = (d: Date) => BigInt(Math.floor(d.getTime() / 1000));

export function presetToProto(p: VisiblePreset) {
  return {
    id: p.id,
    userId: p.userId,
    baseModelId: p.baseModelId,
    name: p.name,
    description: p.description,
    systemPrompt: p.systemPrompt,
    params: {
      temperature: p.params.temperature,
      topP: p.params.top_p,
      maxTokens: p.params.max_tokens,
      seed: p.params.seed === undefined ? undefined : BigInt(p.params.seed),
      stop: p.params.stop ?? [],
    },
    knowledgeIds: p.knowledgeIds,
    accessControl: accessControlToProto(p.accessControl),
    isActive: p.isActive,
    metaJson: JSON.stringify(p.meta),
    createdAt: seconds(p.createdAt),
    updatedAt: seconds(p.updatedAt),
    writable: p.writable,
  };
}

export function presetFromProto(input: presetsV1.PresetInput | undefined): PresetInput {
  if (!input) throw new DomainError(ErrorKind.InvalidArgument, 'preset is required.');
  const p = input.params;
  const params = Object.fromEntries(
    Object.entries({
      temperature: p?.temperature,
      top_p: p?.topP,
      max_tokens: p?.maxTokens,
      seed: p?.seed === undefined ? undefined : Number(p.seed),
      stop: p?.stop.length ? [...p.stop] : undefined,
    }).filter(([, v]) => v !== undefined),
  );
  return {
    id: input.id,
    baseModelId: input.baseModelId,
    name: input.name,
    description: input.description,
    systemPrompt: input.systemPrompt,
    params,
    knowledgeIds: [...new Set(input.knowledgeIds)],
    accessControl: accessControlFromProto(input.accessControl),
    isActive: input.isActive,
    meta: metaObjectOf(input.metaJson),
  };
}

/** The PresetsService contract, mapped onto PresetsService. */
@Injectable()
export class PresetsGrpcHandlers implements OnModuleInit {
  constructor(
    @Inject(GrpcServerHost) private readonly host: GrpcServerHost,
    @Inject(PresetsService) private readonly presets: PresetsService,
  ) {}

  onModuleInit(): void {
    this.host.addService(presetsV1.PresetsService, {
      listPresets: async (_request, call) => ({
        presets: (await this.presets.list(actingUser(call.caller))).map(presetToProto),
      }),
      getPreset: async (request, call) => ({
        preset: presetToProto(await this.presets.get(actingUser(call.caller), request.id)),
      }),
      createPreset: async (request, call) => {
        // Open WebUI's workspace.models: who may create presets at all (editing needs write access).
        const who = actingUser(call.caller);
        requirePermission(who, 'workspace.models');
        return { preset: presetToProto(await this.presets.create(who, presetFromProto(request.preset))) };
      },
      updatePreset: async (request, call) => ({
        preset: presetToProto(
          await this.presets.update(actingUser(call.caller), request.id, presetFromProto(request.preset)),
        ),
      }),
      deletePreset: async (request, call) => {
        await this.presets.delete(actingUser(call.caller), request.id);
        return {};
      },
    });
  }
}
