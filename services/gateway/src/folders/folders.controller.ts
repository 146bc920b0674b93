import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { z } from '@parley/config';
import { chatV1 } from '@parley/proto';
import { DownstreamClients } from '../downstream/downstream-clients';
import { parseBody } from '../validation/parse-body';

const object = z.record(z.unknown(), { invalid_type_error: 'must be a JSON object' });
const folderForm = z.object({
  name: z.string({ required_error: 'is required', invalid_type_error: 'must be text' }).max(10_000),
  data: object.nullish(),
  meta: object.nullish(),
  parent_id: z.string().max(100).nullish(),
});
const updateForm = folderForm.omit({ parent_id: true });
const parentForm = z.object({ parent_id: z.string().max(100).nullish() });
const expandedForm = z.object({ is_expanded: z.boolean({ required_error: 'is required' }) });
const deleteQuery = z.object({
  delete_contents: z
    .enum(['true', 'false'], { errorMap: () => ({ message: 'must be true or false' }) })
    .transform((v) => v === 'true')
    .default('true'),
});

const json = (text: string) => (text ? (JSON.parse(text) as Record<string, unknown>) : null);

/** Open WebUI's FolderModel. */
export function folderJson(f: chatV1.Folder | undefined) {
  return {
    id: f?.id ?? '',
    parent_id: f?.parentId || null,
    user_id: f?.userId ?? '',
    name: f?.name ?? '',
    meta: json(f?.metaJson ?? ''),
    data: json(f?.dataJson ?? ''),
    is_expanded: f?.isExpanded ?? false,
    created_at: Number(f?.createdAt ?? 0n),
    updated_at: Number(f?.updatedAt ?? 0n),
  };
}

/** Open WebUI's /api/v1/folders routes; folders live in the chat service. */
@Controller('api/v1/folders')
export class FoldersController {
  constructor(@Inject(DownstreamClients) private readonly downstream: DownstreamClients) {}

  @Get()
  async list(@Req() req: AuthenticatedRequest) {
    return (await this.downstream.chat.listFolders({}, { caller: req.caller })).folders.map(folderJson);
  }

  @Post()
  @HttpCode(200)
  async create(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const form = parseBody(folderForm, body);
    const reply = await this.downstream.chat.createFolder(
      {
        name: form.name,
        parentId: form.parent_id ?? '',
        metaJson: form.meta ? JSON.stringify(form.meta) : '',
        dataJson: form.data ? JSON.stringify(form.data) : '',
      },
      { caller: req.caller },
    );
    return folderJson(reply.folder);
  }

  @Get(':id')
  async get(@Param('id') id: string, @Req() req: AuthenticatedRequest) {
    return folderJson(
      (await this.downstream.chat.getFolder({ folderId: id }, { caller: req.caller })).folder,
    );
  }

  @Post(':id/update')
  @HttpCode(200)
  async update(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const form = parseBody(updateForm, body);
    const reply = await this.downstream.chat.updateFolder(
      {
        folderId: id,
        name: form.name,
        ...(form.meta ? { metaJson: JSON.stringify(form.meta) } : {}),
        ...(form.data ? { dataJson: JSON.stringify(form.data) } : {}),
      },
      { caller: req.caller },
    );
    return folderJson(reply.folder);
  }

  @Post(':id/update/parent')
  @HttpCode(200)
  async move(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const { parent_id } = parseBody(parentForm, body);
    const reply = await this.downstream.chat.updateFolder(
      { folderId: id, parentId: parent_id ?? '' },
      { caller: req.caller },
    );
    return folderJson(reply.folder);
  }

  @Post(':id/update/expanded')
  @HttpCode(200)
  async expand(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const { is_expanded } = parseBody(expandedForm, body);
    const reply = await this.downstream.chat.updateFolder(
      { folderId: id, isExpanded: is_expanded },
      { caller: req.caller },
    );
    return folderJson(reply.folder);
  }

  // Deleting a folder deletes its chats (delete_contents defaults to true): the chat service asks for chat.delete.
  @Delete(':id')
  async delete(@Param('id') id: string, @Query() query: unknown, @Req() req: AuthenticatedRequest) {
    const { delete_contents } = parseBody(deleteQuery, query);
    await this.downstream.chat.deleteFolder(
      { folderId: id, deleteContents: delete_contents },
      { caller: req.caller },
    );
    return true;
  }
}
