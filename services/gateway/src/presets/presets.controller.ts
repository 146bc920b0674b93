import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { DomainError, ErrorKind } from '@parley/errors';
import { parseBody } from '../validation/parse-body';
import { ModelCatalogClients } from './model-catalog-clients';
import { presetForm, presetInput, presetJson } from './preset-json';

function idOf(id: unknown): string {
  if (typeof id !== 'string' || !id.trim())
    throw new DomainError(ErrorKind.InvalidArgument, 'id is required: the preset id, as ?id=...');
  return id;
}

/**
 * Open WebUI's workspace model routes: presets on base models. `GET /api/v1/models/` (with the slash)
 * lists them too; see ModelsController. Who may create (workspace.models), read and edit what is decided
 * in the model gateway, from the request's caller.
 */
@Controller('api/v1/models')
export class PresetsController {
  constructor(@Inject(ModelCatalogClients) private readonly clients: ModelCatalogClients) {}

  @Get('list')
  async list(@Req() req: AuthenticatedRequest) {
    return (await this.clients.presets.listPresets({}, { caller: req.caller })).presets.map(presetJson);
  }

  @Post('create')
  @HttpCode(200)
  async create(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const form = parseBody(presetForm, body);
    if (!form.id)
      throw new DomainError(ErrorKind.InvalidArgument, 'id is required: the model id of the preset.');
    const { preset } = await this.clients.presets.createPreset(
      { preset: presetInput(form, form.id) },
      { caller: req.caller },
    );
    return presetJson(preset!);
  }

  @Get('model')
  async get(@Query('id') id: unknown, @Req() req: AuthenticatedRequest) {
    const { preset } = await this.clients.presets.getPreset({ id: idOf(id) }, { caller: req.caller });
    return presetJson(preset!);
  }

  @Post('model/update')
  @HttpCode(200)
  async update(@Query('id') id: unknown, @Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const presetId = idOf(id);
    const form = parseBody(presetForm, body);
    const { preset } = await this.clients.presets.updatePreset(
      { id: presetId, preset: presetInput(form, form.id ?? presetId) },
      { caller: req.caller },
    );
    return presetJson(preset!);
  }

  @Delete('model/delete')
  async delete(@Query('id') id: unknown, @Req() req: AuthenticatedRequest) {
    await this.clients.presets.deletePreset({ id: idOf(id) }, { caller: req.caller });
    return true;
  }
}
