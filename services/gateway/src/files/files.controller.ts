import { Controller, Inject, Req, Res } from '@nestjs/common';
import contentDisposition from 'content-disposition';
import type { Request, Response } from 'express';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { DomainError, ErrorKind } from '@parley/errors';
import type { RouteInput as Input, RouteResult as Result } from '../contract/route-contract';
import { Route, RouteInput } from '../contract/route.decorator';
import { DownstreamClients } from '../downstream/downstream-clients';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { fileJson, statusName } from './file-json';
import { filesContract as c } from './files.contract';
import { multipartUpload } from './multipart-upload';

/** Types a browser would run or render as a page: never inline, whatever the stored name says. */
const ACTIVE_CONTENT = /^(text\/html|application\/xhtml\+xml|image\/svg\+xml|application\/xml|text\/xml)\b/i;
/** Shown inline when asked for the content; everything else downloads. */
const INLINE_CONTENT = /^(application\/pdf|text\/plain|image\/(png|jpeg|gif|webp|avif|bmp)|audio\/|video\/)/i;

/** How often `?stream=true` looks at the status (Open WebUI polls its database every second). */
const STATUS_POLL_MS = 500;
const STATUS_STREAM_MAX_MS = 2 * 60 * 60 * 1000;

/**
 * Open WebUI's /api/v1/files routes over the files service. Fixed paths come before /:id. The owner
 * and admin rules are the files service's; the gateway only streams and shapes.
 */
@Controller()
export class FilesController {
  constructor(
    @Inject(DownstreamClients) private readonly downstream: DownstreamClients,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  private get files() {
    return this.downstream.files;
  }

  private transfer(req: AuthenticatedRequest, res: Response) {
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    return {
      caller: req.caller,
      signal: controller.signal,
      deadlineMs: this.config.FILES_TRANSFER_DEADLINE_MS,
    };
  }

  @Route(c.upload)
  async upload(
    @RouteInput() { query: q }: Input<typeof c.upload>,
    @Req() req: AuthenticatedRequest & Request,
    @Res() res: Response,
  ): Promise<void> {
    const reply = await this.files.uploadFile(multipartUpload(req, q.process), this.transfer(req, res));
    const body = fileJson(reply.file);
    res.status(200).json(q.process ? { status: true, ...body } : body);
  }

  @Route(c.list)
  async list(
    @RouteInput() { query: q }: Input<typeof c.list>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.list>> {
    const all: ReturnType<typeof fileJson>[] = [];
    let pageToken = '';
    do {
      const page = await this.files.listFiles(
        { pageSize: 100, pageToken, includeContent: q.content },
        { caller: req.caller },
      );
      all.push(...page.files.map((file) => fileJson(file, { content: q.content })));
      pageToken = page.nextPageToken;
    } while (pageToken);
    return all;
  }

  @Route(c.deleteAll)
  async deleteAll(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.deleteAll>> {
    await this.files.deleteAllFiles({}, { caller: req.caller });
    return { message: 'All files deleted successfully' };
  }

  @Route(c.get)
  async get(
    @RouteInput() { params: { id: fileId } }: Input<typeof c.get>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.get>> {
    const reply = await this.files.getFile({ fileId, includeContent: true }, { caller: req.caller });
    return fileJson(reply.file, { content: true });
  }

  @Route(c.content)
  async content(
    @RouteInput() { params: { id: fileId }, query: q }: Input<typeof c.content>,
    @Req() req: AuthenticatedRequest,
    @Res() res: Response,
  ): Promise<void> {
    const stream = this.files.downloadFile({ fileId }, this.transfer(req, res))[Symbol.asyncIterator]();
    // The first message is the file (or the refusal): answer errors before any header is sent.
    const first = await stream.next();
    if (first.done || first.value.part.case !== 'file')
      throw new DomainError(ErrorKind.Internal, 'The files service sent no file information.');
    const file = first.value.part.value;
    const type = file.contentType || 'application/octet-stream';
    const inline = !q.attachment && !ACTIVE_CONTENT.test(type) && INLINE_CONTENT.test(type);
    res.status(200);
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Length', String(file.size));
    res.setHeader(
      'Content-Disposition',
      contentDisposition(file.filename || 'file', { type: inline ? 'inline' : 'attachment' }),
    );
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Even a direct visit to an active type runs nothing: no scripts, no plugins, its own origin.
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    try {
      for (let next = await stream.next(); !next.done; next = await stream.next()) {
        if (next.value.part.case !== 'chunk') continue;
        if (!res.write(next.value.part.value)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
    } catch {
      // Headers are out: all that is left is to cut the response, so the client sees it incomplete.
      res.destroy();
    }
  }

  @Route(c.dataContent)
  async dataContent(
    @RouteInput() { params: { id: fileId } }: Input<typeof c.dataContent>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.dataContent>> {
    const reply = await this.files.getFileContent({ fileId }, { caller: req.caller });
    return { content: reply.content };
  }

  @Route(c.updateContent)
  async updateContent(
    @RouteInput() { params: { id: fileId }, body: { content } }: Input<typeof c.updateContent>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.updateContent>> {
    const reply = await this.files.updateFileContent({ fileId, content }, { caller: req.caller });
    return { content: reply.file?.content ?? content };
  }

  @Route(c.processStatus)
  async processStatus(
    @RouteInput() { params: { id: fileId }, query: q }: Input<typeof c.processStatus>,
    @Req() req: AuthenticatedRequest,
    @Res() res: Response,
  ): Promise<void> {
    const first = await this.files.getProcessStatus({ fileId }, { caller: req.caller });
    if (!q.stream) return void res.json({ status: statusName(first.status) ?? 'pending' });
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream');
    res.setHeader('Cache-Control', 'no-cache');
    res.flushHeaders();
    let gone = false;
    res.on('close', () => (gone = true));
    const deadline = Date.now() + STATUS_STREAM_MAX_MS;
    let current = first;
    for (;;) {
      const status = statusName(current.status);
      // A file uploaded without processing has no status: like Open WebUI, the stream just ends.
      if (!status || gone) break;
      res.write(
        `data: ${JSON.stringify(status === 'failed' ? { status, error: current.error } : { status })}\n\n`,
      );
      if (status !== 'pending' || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, STATUS_POLL_MS));
      try {
        current = await this.files.getProcessStatus({ fileId }, { caller: req.caller });
      } catch (error) {
        if (error instanceof DomainError && error.kind === ErrorKind.NotFound)
          res.write(`data: ${JSON.stringify({ status: 'not_found' })}\n\n`);
        break;
      }
    }
    res.end();
  }

  @Route(c.delete)
  async delete(
    @RouteInput() { params: { id: fileId } }: Input<typeof c.delete>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.delete>> {
    await this.files.deleteFile({ fileId }, { caller: req.caller });
    return { message: 'File deleted successfully' };
  }
}
