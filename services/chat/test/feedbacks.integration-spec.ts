import { randomUUID } from 'node:crypto';
import { ErrorKind } from '@parley/errors';
import { as, Harness, startChatService } from './chat-service-harness';

const json = (value: unknown) => JSON.stringify(value);
const parsed = (text: string) => (text ? (JSON.parse(text) as Record<string, unknown>) : null);

/**
 * Feedback rows in the chat service, against PostgreSQL: the thumbs on an answer and Open WebUI's
 * feedback are one row per user and message, and the leaderboard is computed from those rows.
 */
describe('feedback rows and the leaderboard', () => {
  let h: Harness;
  const admin = as(randomUUID(), { role: 'admin' });

  beforeAll(async () => {
    h = await startChatService();
  });

  afterAll(async () => {
    await h?.stop();
  });

  /** A chat with one question and answers from the given models, as the given user. */
  async function chatWithAnswers(user: ReturnType<typeof as>, models: string[]) {
    const { chat } = await h.chat.createChat({ title: 'compare', chatJson: '{}' }, user);
    const chatId = chat!.id;
    const questionId = `q-${randomUUID()}`;
    await h.chat.addMessage(
      { chatId, messageJson: json({ id: questionId, role: 'user', content: 'hi' }) },
      user,
    );
    const answerIds: string[] = [];
    for (const model of models) {
      const id = `a-${randomUUID()}`;
      await h.chat.addMessage(
        { chatId, parentId: questionId, messageJson: json({ id, role: 'assistant', content: model, model }) },
        user,
      );
      answerIds.push(id);
    }
    return { chatId, answerIds };
  }

  it('makes a thumb on an answer the feedback row of that message, against its sibling answers', async () => {
    const user = as(randomUUID());
    const { chatId, answerIds } = await chatWithAnswers(user, ['alpha', 'beta', 'gamma']);
    const rated = await h.chat.rateMessage(
      { chatId, messageId: answerIds[0]!, rating: 1, reason: 'Accurate information', comment: 'clear' },
      user,
    );
    const message = parsed(rated.result!.messageJson)!;

    const { feedbacks } = await h.chat.listMyFeedbacks({}, user);
    expect(feedbacks).toHaveLength(1);
    const row = feedbacks[0]!;
    expect(message.feedbackId).toBe(row.id);
    expect(row.type).toBe('rating');
    expect(parsed(row.dataJson)).toEqual({
      rating: 1,
      model_id: 'alpha',
      sibling_model_ids: ['beta', 'gamma'],
      reason: 'Accurate information',
      comment: 'clear',
    });
    expect(parsed(row.metaJson)).toEqual({ chat_id: chatId, message_id: answerIds[0] });

    // Open WebUI's frontend posting feedback for the same message changes that row, not a second one.
    const posted = await h.chat.createFeedback(
      {
        type: 'rating',
        dataJson: json({
          rating: -1,
          model_id: 'alpha',
          sibling_model_ids: ['beta'],
          comment: 'changed my mind',
        }),
        metaJson: json({ chat_id: chatId, message_id: answerIds[0], arena: false, tags: ['code'] }),
      },
      user,
    );
    expect(posted.feedback!.id).toBe(row.id);
    expect((await h.chat.listMyFeedbacks({}, user)).feedbacks).toHaveLength(1);

    // A regenerated answer is a new answer: it starts without the rated one's feedback.
    const regenerated = await h.chat.regenerateMessage(
      { chatId, messageId: answerIds[0]!, model: 'alpha' },
      user,
    );
    expect(parsed(regenerated.result!.messageJson)).not.toHaveProperty('feedbackId');

    // Taking the thumb back removes the row.
    await h.chat.rateMessage({ chatId, messageId: answerIds[0]!, rating: 0 }, user);
    expect((await h.chat.listMyFeedbacks({}, user)).feedbacks).toEqual([]);
    await expect(h.chat.getFeedback({ feedbackId: row.id }, user)).rejects.toMatchObject({
      kind: ErrorKind.NotFound,
    });
  });

  it('keeps fields an update leaves out, and refuses a rating outside -1..1 with a message', async () => {
    const user = as(randomUUID());
    const { feedback } = await h.chat.createFeedback(
      {
        type: 'rating',
        dataJson: json({ rating: '1', model_id: 'm' }),
        metaJson: json({ chat_id: 'c', message_id: 'x' }),
        snapshotJson: json({ chat: { title: 'kept' } }),
      },
      user,
    );
    expect(parsed(feedback!.dataJson)).toEqual({ rating: 1, model_id: 'm' });
    const updated = await h.chat.updateFeedback(
      { feedbackId: feedback!.id, type: 'rating', dataJson: json({ rating: -1, model_id: 'm' }) },
      user,
    );
    expect(parsed(updated.feedback!.metaJson)).toEqual({ chat_id: 'c', message_id: 'x' });
    expect(parsed(updated.feedback!.snapshotJson)).toEqual({ chat: { title: 'kept' } });
    await expect(
      h.chat.createFeedback({ type: 'rating', dataJson: json({ rating: 5 }) }, user),
    ).rejects.toMatchObject({
      kind: ErrorKind.InvalidArgument,
      message: 'data.rating must be 1 (good), -1 (bad) or 0 (none).',
    });
  });

  it('ranks models by head-to-head ratings, every row counted once, and filters by tag', async () => {
    await h.chat.deleteAllFeedbacks({}, admin);
    const user = as(randomUUID());
    const rate = (model: string, siblings: string[], rating: number, tags: string[] = []) =>
      h.chat.createFeedback(
        { type: 'rating', dataJson: json({ rating, model_id: model, sibling_model_ids: siblings, tags }) },
        user,
      );
    for (let i = 0; i < 3; i++) await rate('strong', ['weak'], 1, ['code']);
    await rate('middle', ['weak'], 1, ['poetry']);
    await rate('weak', ['middle'], -1);
    // A thumb through the message tree counts too.
    const { chatId, answerIds } = await chatWithAnswers(user, ['strong', 'middle']);
    await h.chat.rateMessage({ chatId, messageId: answerIds[0]!, rating: 1 }, user);

    const { entries } = await h.chat.getLeaderboard({}, admin);
    expect(entries.map((e) => e.modelId)).toEqual(['strong', 'middle', 'weak']);
    const strong = entries[0]!;
    expect(strong).toMatchObject({ won: 4, lost: 0, count: 4 });
    expect(strong.topTags.map((t) => ({ tag: t.tag, count: t.count }))).toEqual([{ tag: 'code', count: 3 }]);
    expect(entries[2]).toMatchObject({ modelId: 'weak', won: 0, lost: 5 });
    expect(entries[0]!.rating).toBeGreaterThan(entries[1]!.rating);
    expect(entries[1]!.rating).toBeGreaterThan(entries[2]!.rating);

    const poetry = await h.chat.getLeaderboard({ query: 'POET' }, admin);
    expect(poetry.entries.map((e) => [e.modelId, e.won, e.lost])).toEqual([
      ['middle', 1, 0],
      ['weak', 0, 1],
    ]);
  });

  it('pages the admin list with a total and exports every row with its snapshot', async () => {
    await h.chat.deleteAllFeedbacks({}, admin);
    const user = as(randomUUID());
    for (let i = 0; i < 7; i++)
      await h.chat.createFeedback(
        { type: 'rating', dataJson: json({ rating: 1, i }), snapshotJson: json({ chat: { i } }) },
        user,
      );
    const first = await h.chat.listAllFeedbacks({ page: 1, pageSize: 5 }, admin);
    const second = await h.chat.listAllFeedbacks({ page: 2, pageSize: 5 }, admin);
    expect(first.total).toBe(7n);
    expect([first.feedbacks.length, second.feedbacks.length]).toEqual([5, 2]);
    expect(first.feedbacks.every((f) => f.snapshotJson === '')).toBe(true);
    const exported = [];
    for await (const item of h.chat.exportFeedbacks({}, admin)) exported.push(...item.feedbacks);
    expect(new Set(exported.map((f) => f.id))).toEqual(
      new Set([...first.feedbacks, ...second.feedbacks].map((f) => f.id)),
    );
    expect(exported.every((f) => parsed(f.snapshotJson)?.chat)).toBe(true);
  });
});
