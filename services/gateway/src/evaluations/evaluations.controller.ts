import { Controller, Inject, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AuthenticatedRequest } from '@parley/auth-guard';
import { DomainError, ErrorKind } from '@parley/errors';
import type { chatV1 } from '@parley/proto';
import type { RouteInput as Input, RouteResult as Result } from '../contract/route-contract';
import { Route, RouteInput } from '../contract/route.decorator';
import { writeWithBackpressure } from '../contract/streamed-response';
import { DownstreamClients } from '../downstream/downstream-clients';
import { publicProfiles } from '../users/public-profiles';
import { evaluationsContract as c } from './evaluations.contract';

/** The chat service's largest page. */
const LIST_ALL_PAGE_SIZE = 100;

const json = (text: string) => (text ? (JSON.parse(text) as Record<string, unknown>) : null);
const jsonText = (value: unknown) => (value === null || value === undefined ? '' : JSON.stringify(value));

/** Open WebUI's FeedbackModel. */
export function feedbackJson(f: chatV1.Feedback | undefined): Result<typeof c.get> {
  if (!f) throw new DomainError(ErrorKind.Internal, 'The chat service sent no feedback.');
  return {
    id: f.id,
    user_id: f.userId,
    version: Number(f.version),
    type: f.type,
    data: json(f.dataJson),
    meta: json(f.metaJson),
    snapshot: json(f.snapshotJson),
    created_at: Number(f.createdAt),
    updated_at: Number(f.updatedAt),
  };
}

function withoutSnapshot(f: chatV1.Feedback) {
  const { snapshot: _snapshot, ...rest } = feedbackJson(f);
  return rest;
}

const form = (body: Input<typeof c.create>['body']) => ({
  type: body.type,
  dataJson: jsonText(body.data),
  metaJson: jsonText(body.meta),
  snapshotJson: jsonText(body.snapshot),
});

const configJson = (config: chatV1.EvaluationConfig | undefined): Result<typeof c.getConfig> => ({
  ENABLE_EVALUATION_ARENA_MODELS: config?.enableArenaModels ?? false,
  EVALUATION_ARENA_MODELS: config?.arenaModelsJson
    ? (JSON.parse(config.arenaModelsJson) as Array<Record<string, unknown>>)
    : [],
});

/**
 * Open WebUI's evaluation routes. The feedback rows live in the chat service, which scopes every call to
 * the caller (another user's feedback is a 404) and lets admins at all of them; the admin routes are also
 * refused here first, so a plain user gets 403 without a call.
 */
@Controller()
export class EvaluationsController {
  constructor(@Inject(DownstreamClients) private readonly downstream: DownstreamClients) {}

  private get chat() {
    return this.downstream.chat;
  }

  @Route(c.getConfig)
  async getConfig(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.getConfig>> {
    return configJson((await this.chat.getEvaluationConfig({}, { caller: req.caller })).config);
  }

  @Route(c.updateConfig)
  async updateConfig(
    @RouteInput() { body }: Input<typeof c.updateConfig>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.updateConfig>> {
    const reply = await this.chat.updateEvaluationConfig(
      {
        ...(typeof body.ENABLE_EVALUATION_ARENA_MODELS === 'boolean'
          ? { enableArenaModels: body.ENABLE_EVALUATION_ARENA_MODELS }
          : {}),
        arenaModelsJson: jsonText(body.EVALUATION_ARENA_MODELS),
      },
      { caller: req.caller },
    );
    return configJson(reply.config);
  }

  @Route(c.leaderboard)
  async leaderboard(
    @RouteInput() { query }: Input<typeof c.leaderboard>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.leaderboard>> {
    const { entries } = await this.chat.getLeaderboard({ query: query.query ?? '' }, { caller: req.caller });
    return {
      entries: entries.map((e) => ({
        model_id: e.modelId,
        rating: e.rating,
        won: e.won,
        lost: e.lost,
        count: e.count,
        top_tags: e.topTags.map((t) => ({ tag: t.tag, count: t.count })),
      })),
    };
  }

  /** Open WebUI v0.6 answers every row at once; read here a bounded page at a time. */
  @Route(c.listAll)
  async listAll(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.listAll>> {
    const all: chatV1.Feedback[] = [];
    for (let page = 1; ; page++) {
      const { feedbacks } = await this.chat.listAllFeedbacks(
        { page, pageSize: LIST_ALL_PAGE_SIZE },
        { caller: req.caller },
      );
      all.push(...feedbacks);
      if (feedbacks.length < LIST_ALL_PAGE_SIZE) return this.withUsers(req, all);
    }
  }

  @Route(c.listPage)
  async listPage(
    @RouteInput() { query }: Input<typeof c.listPage>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.listPage>> {
    const { feedbacks, total } = await this.chat.listAllFeedbacks(
      { page: query.page, orderBy: query.order_by ?? '', direction: query.direction ?? '' },
      { caller: req.caller },
    );
    return { items: await this.withUsers(req, feedbacks), total: Number(total) };
  }

  @Route(c.deleteAll)
  async deleteAll(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.deleteAll>> {
    return (await this.chat.deleteAllFeedbacks({}, { caller: req.caller })).deleted;
  }

  /** Every row as one JSON array (Open WebUI's shape), written as the chat service streams it. */
  @Route(c.exportAll)
  async exportAll(@Req() req: AuthenticatedRequest, @Res() res: Response): Promise<void> {
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    const stream = this.chat.exportFeedbacks({}, { caller: req.caller, signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    // The first item (or error) decides the status, so a refusal before any output is a clean 4xx.
    const first = await iterator.next();
    res.status(200).setHeader('content-type', 'application/json');
    res.write('[');
    try {
      let separator = '';
      for (let item = first; !item.done; item = await iterator.next()) {
        for (const f of item.value.feedbacks) {
          await writeWithBackpressure(res, separator + JSON.stringify(feedbackJson(f)));
          separator = ',';
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
    res.end(']');
  }

  @Route(c.listMine)
  async listMine(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.listMine>> {
    const { feedbacks } = await this.chat.listMyFeedbacks({}, { caller: req.caller });
    return feedbacks.map((f) => ({ ...withoutSnapshot(f), user: null }));
  }

  @Route(c.deleteMine)
  async deleteMine(@Req() req: AuthenticatedRequest): Promise<Result<typeof c.deleteMine>> {
    return (await this.chat.deleteMyFeedbacks({}, { caller: req.caller })).deleted;
  }

  @Route(c.create)
  async create(
    @RouteInput() { body }: Input<typeof c.create>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.create>> {
    return feedbackJson((await this.chat.createFeedback(form(body), { caller: req.caller })).feedback);
  }

  @Route(c.get)
  async get(
    @RouteInput() { params }: Input<typeof c.get>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.get>> {
    return feedbackJson(
      (await this.chat.getFeedback({ feedbackId: params.id }, { caller: req.caller })).feedback,
    );
  }

  @Route(c.update)
  async update(
    @RouteInput() { params, body }: Input<typeof c.update>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.update>> {
    const reply = await this.chat.updateFeedback(
      { feedbackId: params.id, ...form(body) },
      { caller: req.caller },
    );
    return feedbackJson(reply.feedback);
  }

  @Route(c.delete)
  async delete(
    @RouteInput() { params }: Input<typeof c.delete>,
    @Req() req: AuthenticatedRequest,
  ): Promise<Result<typeof c.delete>> {
    await this.chat.deleteFeedback({ feedbackId: params.id }, { caller: req.caller });
    return true;
  }

  /** Open WebUI's admin list shows who gave each feedback. */
  private async withUsers(req: AuthenticatedRequest, feedbacks: chatV1.Feedback[]) {
    const users = await publicProfiles(
      this.downstream.auth,
      req.caller,
      feedbacks.map((f) => f.userId),
    );
    return feedbacks.map((f) => ({ ...withoutSnapshot(f), user: users.get(f.userId) ?? null }));
  }
}
