import { Controller, Inject, Req } from '@nestjs/common';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { chatV1 } from '@parley/proto';
import { DownstreamClients } from '../downstream/downstream-clients';
import type { RouteInput as Input, RouteResult as Result } from '../contract/route-contract';
import { Route, RouteInput } from '../contract/route.decorator';
import { foldersContract as c } from './folders.contract';

const json = (text: string) => (text ? (JSON.parse(text) as Record<string, unknown>) : null);

/** Open WebUI's FolderModel. */
export function folderJson(f: chatV1.Folder | undefined): Result<typeof c.get> {
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
@Controller()
export class FoldersController {
  constructor(@Inject(DownstreamClients) private readonly downstream: DownstreamClients) {}

  @Route(c.list)
  async list(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.list>> {
    return (await this.downstream.chat.listFolders({}, { caller: req.caller })).folders.map(folderJson);
  }

  @Route(c.create)
  async create(
    @RouteInput() { body: form }: Input<typeof c.create>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.create>> {
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

  @Route(c.get)
  async get(
    @RouteInput() { params }: Input<typeof c.get>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.get>> {
    return folderJson(
      (await this.downstream.chat.getFolder({ folderId: params.id }, { caller: req.caller })).folder,
    );
  }

  @Route(c.update)
  async update(
    @RouteInput() { params, body: form }: Input<typeof c.update>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.update>> {
    const reply = await this.downstream.chat.updateFolder(
      {
        folderId: params.id,
        name: form.name,
        ...(form.meta ? { metaJson: JSON.stringify(form.meta) } : {}),
        ...(form.data ? { dataJson: JSON.stringify(form.data) } : {}),
      },
      { caller: req.caller },
    );
    return folderJson(reply.folder);
  }

  @Route(c.move)
  async move(
    @RouteInput() { params, body }: Input<typeof c.move>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.move>> {
    const reply = await this.downstream.chat.updateFolder(
      { folderId: params.id, parentId: body.parent_id ?? '' },
      { caller: req.caller },
    );
    return folderJson(reply.folder);
  }

  @Route(c.expand)
  async expand(
    @RouteInput() { params, body }: Input<typeof c.expand>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.expand>> {
    const reply = await this.downstream.chat.updateFolder(
      { folderId: params.id, isExpanded: body.is_expanded },
      { caller: req.caller },
    );
    return folderJson(reply.folder);
  }

  // Deleting a folder deletes its chats (delete_contents defaults to true): the chat service asks for chat.delete.
  @Route(c.delete)
  async delete(
    @RouteInput() { params, query }: Input<typeof c.delete>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.delete>> {
    await this.downstream.chat.deleteFolder(
      { folderId: params.id, deleteContents: query.delete_contents },
      { caller: req.caller },
    );
    return true;
  }
}
