import { Controller, Inject, Req } from '@nestjs/common';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { DomainError, ErrorKind } from '@parley/errors';
import type { RouteInput as Input, RouteResult as Result } from '../contract/route-contract';
import { Route, RouteInput } from '../contract/route.decorator';
import { ModelCatalogClients } from './model-catalog-clients';
import { presetForm, presetInput, presetJson } from './preset-json';
import { presetsContract as c } from './presets.contract';

/**
 * Open WebUI's workspace model routes: presets on base models. `GET /api/v1/models/` (with the slash)
 * lists them too; see ModelsController. Who may create (workspace.models), read and edit what is decided
 * in the model gateway, from the request's caller.
 */
@Controller()
export class PresetsController {
  constructor(@Inject(ModelCatalogClients) private readonly clients: ModelCatalogClients) {}

  @Route(c.list)
  async list(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.list>> {
    return (await this.clients.presets.listPresets({}, { caller: req.caller })).presets.map(presetJson);
  }

  @Route(c.create)
  async create(
    @RouteInput() { body: form }: Input<typeof c.create>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.create>> {
    if (!form.id)
      throw new DomainError(ErrorKind.InvalidArgument, 'id is required: the model id of the preset.');
    const { preset } = await this.clients.presets.createPreset(
      { preset: presetInput(form, form.id) },
      { caller: req.caller },
    );
    return presetJson(preset!);
  }

  @Route(c.get)
  async get(
    @RouteInput() { query }: Input<typeof c.get>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.get>> {
    const { preset } = await this.clients.presets.getPreset({ id: query.id }, { caller: req.caller });
    return presetJson(preset!);
  }

  @Route(c.update)
  async update(
    @RouteInput() { query, body: form }: Input<typeof c.update>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.update>> {
    const presetId = query.id;
    const { preset } = await this.clients.presets.updatePreset(
      { id: presetId, preset: presetInput(form, form.id ?? presetId) },
      { caller: req.caller },
    );
    return presetJson(preset!);
  }

  /** Open WebUI's toggle: the preset as it is, with is_active flipped (write access needed). */
  @Route(c.toggle)
  async toggle(
    @RouteInput() { query }: Input<typeof c.toggle>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.toggle>> {
    const caller = { caller: req.caller };
    const { preset: current } = await this.clients.presets.getPreset({ id: query.id }, caller);
    const form = presetForm.parse({ ...presetJson(current!), is_active: !current!.isActive });
    const { preset } = await this.clients.presets.updatePreset(
      { id: query.id, preset: presetInput(form, query.id) },
      caller,
    );
    return presetJson(preset!);
  }

  @Route(c.deleteAll)
  async deleteAll(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.deleteAll>> {
    const caller = { caller: req.caller };
    const { presets } = await this.clients.presets.listPresets({}, caller);
    for (const preset of presets) await this.clients.presets.deletePreset({ id: preset.id }, caller);
    return true;
  }

  @Route(c.delete)
  async delete(
    @RouteInput() { query }: Input<typeof c.delete>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.delete>> {
    await this.clients.presets.deletePreset({ id: query.id }, { caller: req.caller });
    return true;
  }
}
