import { randomUUID } from 'node:crypto';
import { ErrorKind } from '@parley/errors';
import { CallerSigner, createGrpcClient, type Caller, type CallerSigning } from '@parley/grpc';
import { chatV1 } from '@parley/proto';
import { serviceCaller, TEST_CALLER_SECRET, testCallerSigning, userCaller } from '@parley/testing';
import type { ChatPermission } from '../src/grpc/acting-user';
import { CHAT_PERMISSIONS, ChatClient, Harness, startChatService } from './chat-service-harness';

/** What one owner has in the service before a call: a chat with a tree, a folder, a tag, a share. */
interface Fixture {
  owner: string;
  /** Text that only the owner's data contains, to spot it in an answer. */
  secret: string;
  chatId: string;
  folderId: string;
  shareId: string;
  tag: string;
  questionId: string;
  /** An unfinished assistant answer below the question. */
  answerId: string;
  /** The owner's feedback on that answer, with the secret in its comment. */
  feedbackId: string;
}

type Outcome = 'ok' | ErrorKind;

interface Row {
  /** The permission the method needs, beyond owning what it names. */
  permission?: ChatPermission;
  request: (fx: Fixture) => Record<string, unknown>;
  /**
   * What another (non-admin) user gets: NOT_FOUND where the method names the owner's data, ok where it
   * acts on the caller's own (and then finds none of the owner's).
   */
  other: Outcome;
  /** What an admin gets, when it differs from another user (admins may read chats). */
  admin?: Outcome;
  /** The answer to another user or an admin may carry the owner's data (a share is meant for others). */
  mayReveal?: 'share' | 'admin';
  /** What the owner (a plain user) gets, when not ok: admin-only methods. */
  owner?: Outcome;
  /** An admin's successful call may change the owner's data (admins manage every feedback). */
  adminMayChange?: boolean;
}

const json = (value: unknown) => JSON.stringify(value);

/** One row per ChatService method; a method without a row fails the test below. */
const ROWS: Record<string, Row> = {
  createChat: {
    request: (fx) => ({ title: 'new', chatJson: '{}', folderId: fx.folderId }),
    other: ErrorKind.NotFound,
  },
  getChat: {
    request: (fx) => ({ chatId: fx.chatId }),
    other: ErrorKind.NotFound,
    admin: 'ok',
    mayReveal: 'admin',
  },
  listChats: { request: () => ({ page: 1, includePinned: true, includeFolders: true }), other: 'ok' },
  // Admins (ENABLE_ADMIN_CHAT_ACCESS) read anyone's list; a user only their own.
  listUserChats: {
    request: (fx) => ({ userId: fx.owner, page: 1 }),
    other: ErrorKind.PermissionDenied,
    admin: 'ok',
    mayReveal: 'admin',
  },
  searchChats: { request: (fx) => ({ text: fx.secret, page: 1 }), other: 'ok' },
  updateChat: {
    permission: 'chat.edit',
    request: (fx) => ({ chatId: fx.chatId, chatJson: json({ title: 'changed' }) }),
    other: ErrorKind.NotFound,
  },
  deleteChat: {
    permission: 'chat.delete',
    request: (fx) => ({ chatId: fx.chatId }),
    other: ErrorKind.NotFound,
  },
  deleteAllChats: { permission: 'chat.delete', request: () => ({}), other: 'ok' },
  setChatTitle: { request: (fx) => ({ chatId: fx.chatId, title: 'renamed' }), other: ErrorKind.NotFound },

  addMessage: {
    request: (fx) => ({
      chatId: fx.chatId,
      parentId: fx.answerId,
      messageJson: json({ role: 'user', content: 'more' }),
    }),
    other: ErrorKind.NotFound,
  },
  updateMessageContent: {
    permission: 'chat.edit',
    request: (fx) => ({ chatId: fx.chatId, messageId: fx.questionId, content: 'rewritten', partial: false }),
    other: ErrorKind.NotFound,
  },
  finishMessage: {
    request: (fx) => ({ chatId: fx.chatId, messageId: fx.answerId, content: 'done', dataJson: '{}' }),
    other: ErrorKind.NotFound,
  },
  failMessage: {
    request: (fx) => ({ chatId: fx.chatId, messageId: fx.answerId, error: 'boom' }),
    other: ErrorKind.NotFound,
  },
  editMessage: {
    permission: 'chat.edit',
    request: (fx) => ({ chatId: fx.chatId, messageId: fx.questionId, content: 'edited' }),
    other: ErrorKind.NotFound,
  },
  regenerateMessage: {
    request: (fx) => ({ chatId: fx.chatId, messageId: fx.answerId }),
    other: ErrorKind.NotFound,
  },
  switchBranch: {
    request: (fx) => ({ chatId: fx.chatId, messageId: fx.questionId }),
    other: ErrorKind.NotFound,
  },
  rateMessage: {
    request: (fx) => ({ chatId: fx.chatId, messageId: fx.answerId, rating: 1 }),
    other: ErrorKind.NotFound,
  },
  deleteMessage: {
    permission: 'chat.delete',
    request: (fx) => ({ chatId: fx.chatId, messageId: fx.answerId }),
    other: ErrorKind.NotFound,
  },

  setChatPinned: { request: (fx) => ({ chatId: fx.chatId, pinned: true }), other: ErrorKind.NotFound },
  setChatArchived: { request: (fx) => ({ chatId: fx.chatId, archived: true }), other: ErrorKind.NotFound },
  archiveAllChats: { request: () => ({ archived: true }), other: 'ok' },
  moveChatToFolder: { request: (fx) => ({ chatId: fx.chatId, folderId: '' }), other: ErrorKind.NotFound },

  listTags: { request: () => ({}), other: 'ok' },
  getChatTags: { request: (fx) => ({ chatId: fx.chatId }), other: ErrorKind.NotFound },
  addChatTag: { request: (fx) => ({ chatId: fx.chatId, name: 'extra' }), other: ErrorKind.NotFound },
  removeChatTag: { request: (fx) => ({ chatId: fx.chatId, name: fx.tag }), other: ErrorKind.NotFound },

  listFolders: { request: () => ({}), other: 'ok' },
  getFolder: { request: (fx) => ({ folderId: fx.folderId }), other: ErrorKind.NotFound },
  createFolder: { request: (fx) => ({ name: 'inner', parentId: fx.folderId }), other: ErrorKind.NotFound },
  updateFolder: { request: (fx) => ({ folderId: fx.folderId, name: 'renamed' }), other: ErrorKind.NotFound },
  deleteFolder: {
    permission: 'chat.delete',
    request: (fx) => ({ folderId: fx.folderId, deleteContents: true }),
    other: ErrorKind.NotFound,
  },

  shareChat: {
    permission: 'chat.share',
    request: (fx) => ({ chatId: fx.chatId }),
    other: ErrorKind.NotFound,
  },
  unshareChat: { request: (fx) => ({ chatId: fx.chatId }), other: ErrorKind.NotFound },
  // Whoever has a share id may read the snapshot and copy it: that is what sharing is for.
  getSharedChat: { request: (fx) => ({ shareId: fx.shareId }), other: 'ok', mayReveal: 'share' },
  cloneChat: { request: (fx) => ({ chatId: fx.chatId, title: '' }), other: ErrorKind.NotFound },
  cloneSharedChat: { request: (fx) => ({ shareId: fx.shareId }), other: 'ok', mayReveal: 'share' },

  exportChats: { permission: 'chat.export', request: () => ({}), other: 'ok' },
  importChats: { request: () => ({ itemsJson: [json({ chat: { title: 'imported' } })] }), other: 'ok' },

  // Feedback: a user has their own; admins manage everyone's.
  createFeedback: {
    request: (fx) => ({
      type: 'rating',
      dataJson: json({ rating: -1, model_id: 'm', sibling_model_ids: ['n'] }),
      // The caller's own rating of the same chat id: a row of theirs, never the owner's.
      metaJson: json({ chat_id: fx.chatId, message_id: 'their-message' }),
    }),
    other: 'ok',
  },
  getFeedback: {
    request: (fx) => ({ feedbackId: fx.feedbackId }),
    other: ErrorKind.NotFound,
    admin: 'ok',
    mayReveal: 'admin',
  },
  updateFeedback: {
    request: (fx) => ({ feedbackId: fx.feedbackId, type: 'rating', dataJson: json({ rating: -1 }) }),
    other: ErrorKind.NotFound,
    admin: 'ok',
    mayReveal: 'admin',
    adminMayChange: true,
  },
  deleteFeedback: {
    request: (fx) => ({ feedbackId: fx.feedbackId }),
    other: ErrorKind.NotFound,
    admin: 'ok',
    adminMayChange: true,
  },
  listMyFeedbacks: { request: () => ({}), other: 'ok' },
  deleteMyFeedbacks: { request: () => ({}), other: 'ok' },
  listAllFeedbacks: {
    request: () => ({ page: 1 }),
    owner: ErrorKind.PermissionDenied,
    other: ErrorKind.PermissionDenied,
    admin: 'ok',
    mayReveal: 'admin',
  },
  deleteAllFeedbacks: {
    request: () => ({}),
    owner: ErrorKind.PermissionDenied,
    other: ErrorKind.PermissionDenied,
    admin: 'ok',
    adminMayChange: true,
  },
  exportFeedbacks: {
    request: () => ({}),
    owner: ErrorKind.PermissionDenied,
    other: ErrorKind.PermissionDenied,
    admin: 'ok',
    mayReveal: 'admin',
  },
  getLeaderboard: {
    request: () => ({}),
    owner: ErrorKind.PermissionDenied,
    other: ErrorKind.PermissionDenied,
    admin: 'ok',
  },
  getEvaluationConfig: {
    request: () => ({}),
    owner: ErrorKind.PermissionDenied,
    other: ErrorKind.PermissionDenied,
    admin: 'ok',
  },
  updateEvaluationConfig: {
    request: () => ({ enableArenaModels: true }),
    owner: ErrorKind.PermissionDenied,
    other: ErrorKind.PermissionDenied,
    admin: 'ok',
  },
};

const everything = (userId: string, role: 'user' | 'admin' = 'user') =>
  userCaller(userId, { role, permissions: CHAT_PERMISSIONS });

interface CallerCase {
  name: string;
  caller: (fx: Fixture) => Caller;
  expected: (row: Row) => Outcome;
  /** May the answer carry the owner's data? */
  reveals: (row: Row) => boolean;
}

const CALLERS: CallerCase[] = [
  {
    name: 'the owner',
    caller: (fx) => everything(fx.owner),
    expected: (row) => row.owner ?? 'ok',
    reveals: () => true,
  },
  {
    name: 'another user',
    caller: () => everything(randomUUID()),
    expected: (row) => row.other,
    reveals: (row) => row.mayReveal === 'share',
  },
  {
    name: 'an admin',
    caller: () => everything(randomUUID(), 'admin'),
    expected: (row) => row.admin ?? row.other,
    reveals: (row) => row.mayReveal !== undefined,
  },
  {
    // Lacking the method's permission (every other one held); a method that needs none works without any.
    name: 'the owner lacking the permission',
    caller: (fx) => userCaller(fx.owner, { permissions: [] }),
    expected: (row) => (row.permission ? ErrorKind.PermissionDenied : (row.owner ?? 'ok')),
    reveals: (row) => !row.permission,
  },
  {
    name: 'the owner as a pending user',
    caller: (fx) => userCaller(fx.owner, { role: 'pending', permissions: CHAT_PERMISSIONS }),
    expected: () => ErrorKind.PermissionDenied,
    reveals: () => false,
  },
  {
    name: 'a service',
    caller: () => serviceCaller('model-gateway'),
    expected: () => ErrorKind.PermissionDenied,
    reveals: () => false,
  },
];

/** The caller-lacking-permission case holds every permission but the row's. */
function callerFor(callerCase: CallerCase, row: Row, fx: Fixture): Caller {
  if (callerCase.name === 'the owner lacking the permission' && row.permission)
    return userCaller(fx.owner, { permissions: CHAT_PERMISSIONS.filter((p) => p !== row.permission) });
  return callerCase.caller(fx);
}

const asJson = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

type AnyMethod = (request: unknown, options: { caller: Caller }) => unknown;

/** Calls a method by name, reading a server stream to its end. */
async function callByName(client: ChatClient, name: string, request: unknown, caller: Caller) {
  const method = (client as unknown as Record<string, AnyMethod>)[name]!;
  const descriptor = chatV1.ChatService.methods.find((m) => m.localName === name)!;
  const result = method.call(client, request, { caller });
  if (descriptor.methodKind === 'server_streaming') {
    const items: unknown[] = [];
    for await (const item of result as AsyncIterable<unknown>) items.push(item);
    return items;
  }
  return await (result as Promise<unknown>);
}

async function outcomeOf(
  run: () => Promise<unknown>,
): Promise<{ outcome: Outcome; answer?: unknown; message?: string }> {
  try {
    return { outcome: 'ok', answer: await run() };
  } catch (error) {
    const { kind, message } = error as { kind?: ErrorKind; message?: string };
    if (!kind) throw error;
    return { outcome: kind, message };
  }
}

describe('chat service authorization: who may call what', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startChatService();
  });

  afterAll(async () => {
    await h?.stop();
  });

  async function fixture(): Promise<Fixture> {
    const owner = randomUUID();
    const secret = `secret-${randomUUID()}`;
    const own = { caller: everything(owner) };
    const { folder } = await h.chat.createFolder({ name: `${secret} folder` }, own);
    const { chat } = await h.chat.createChat(
      { title: secret, chatJson: json({ title: secret }), folderId: folder!.id },
      own,
    );
    const chatId = chat!.id;
    const question = await h.chat.addMessage(
      { chatId, messageJson: json({ id: `q-${secret}`, role: 'user', content: secret }) },
      own,
    );
    const questionId = (JSON.parse(question.result!.messageJson) as { id: string }).id;
    await h.chat.addMessage(
      {
        chatId,
        parentId: questionId,
        messageJson: json({ id: `a-${secret}`, role: 'assistant', content: '', model: 'm', done: false }),
      },
      own,
    );
    const tag = `tag-${secret}`;
    await h.chat.addChatTag({ chatId, name: tag }, own);
    const shared = await h.chat.shareChat({ chatId }, own);
    const { feedback } = await h.chat.createFeedback(
      {
        type: 'rating',
        dataJson: json({ rating: 1, model_id: 'm', sibling_model_ids: ['n'], comment: secret }),
        metaJson: json({ chat_id: chatId, message_id: `a-${secret}` }),
      },
      own,
    );
    return {
      feedbackId: feedback!.id,
      owner,
      secret,
      chatId,
      folderId: folder!.id,
      shareId: shared.chat!.shareId,
      tag,
      questionId,
      answerId: `a-${secret}`,
    };
  }

  /** Everything of the owner's that a call could read or change, as the owner sees it. */
  async function ownerState(fx: Fixture): Promise<string> {
    const own = { caller: everything(fx.owner) };
    const settle = (p: Promise<unknown>) => outcomeOf(() => p);
    return asJson([
      await settle(h.chat.getChat({ chatId: fx.chatId }, own)),
      await settle(h.chat.listChats({ page: 1, includePinned: true, includeFolders: true }, own)),
      await settle(h.chat.listChats({ page: 1, scope: chatV1.ChatListScope.ARCHIVED }, own)),
      await settle(h.chat.listFolders({}, own)),
      await settle(h.chat.listTags({}, own)),
      await settle(h.chat.getSharedChat({ shareId: fx.shareId }, own)),
      await settle(h.chat.listMyFeedbacks({}, own)),
    ]);
  }

  it('has a row for every ChatService method', () => {
    const methods = chatV1.ChatService.methods.map((m) => m.localName);
    expect(methods.filter((name) => !(name in ROWS))).toEqual([]);
    expect(Object.keys(ROWS).filter((name) => !methods.includes(name))).toEqual([]);
  });

  const cases = chatV1.ChatService.methods.flatMap((method) =>
    CALLERS.map((callerCase) => [method.localName, callerCase.name, callerCase] as const),
  );

  it.each(cases)('%s, called by %s', async (name, _who, callerCase) => {
    const row = ROWS[name];
    if (!row) throw new Error(`ChatService.${name} has no row in ROWS: decide who may call it`);
    const fx = await fixture();
    const before = await ownerState(fx);
    const caller = callerFor(callerCase, row, fx);
    const expected = callerCase.expected(row);

    const { outcome, answer, message } = await outcomeOf(() =>
      callByName(h.chat, name, row.request(fx), caller),
    );

    // The message is in the comparison so that a failure shows it.
    expect({ outcome, message }).toEqual({
      outcome: expected,
      message: expected === 'ok' ? undefined : message,
    });
    if (
      expected === ErrorKind.PermissionDenied &&
      row.permission &&
      caller.kind === 'user' &&
      caller.role !== 'pending'
    )
      expect(message).toBe(`You do not have the permission "${row.permission}"; ask an administrator.`);
    if (!callerCase.reveals(row)) expect(asJson(answer ?? null)).not.toContain(fx.secret);
    // Only the owner's own successful calls may change the owner's data.
    const changes =
      expected === 'ok' &&
      caller.kind === 'user' &&
      (caller.userId === fx.owner || (row.adminMayChange === true && caller.role === 'admin'));
    if (!changes) expect(await ownerState(fx)).toBe(before);
  });

  it('lets the owner stream an answer with no permission at all, but a final rewrite needs chat.edit', async () => {
    const fx = await fixture();
    const bare = { caller: userCaller(fx.owner) };
    const partial = await h.chat.updateMessageContent(
      { chatId: fx.chatId, messageId: fx.answerId, content: 'so far', partial: true },
      bare,
    );
    expect(JSON.parse(partial.result!.messageJson)).toMatchObject({ id: fx.answerId, content: 'so far' });
    await expect(
      h.chat.updateMessageContent(
        { chatId: fx.chatId, messageId: fx.answerId, content: 'rewritten', partial: false },
        bare,
      ),
    ).rejects.toMatchObject({
      kind: ErrorKind.PermissionDenied,
      message: 'You do not have the permission "chat.edit"; ask an administrator.',
    });
  });

  describe('calls without a valid caller assertion are UNAUTHENTICATED', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const signings: Array<[string, CallerSigning]> = [
      ['no assertion', { signer: { sign: async () => '' } as unknown as CallerSigner, audience: 'chat' }],
      [
        'an expired assertion',
        {
          signer: new CallerSigner({
            secrets: [TEST_CALLER_SECRET],
            issuer: 'test',
            now: () => now() - 3_600,
          }),
          audience: 'chat',
        },
      ],
      ['a forged assertion', testCallerSigning('chat', `forged-${randomUUID()}`)],
      ["another service's assertion", testCallerSigning('auth')],
    ];

    it.each(signings)('%s', async (_name, signing) => {
      const fx = await fixture();
      const client = createGrpcClient(chatV1.ChatService, h.target, {
        deadlineMs: 5_000,
        peerName: 'chat',
        signing,
      });
      try {
        const owner = { caller: everything(fx.owner) };
        await expect(client.getChat({ chatId: fx.chatId }, owner)).rejects.toMatchObject({
          kind: ErrorKind.Unauthenticated,
        });
        await expect(client.deleteChat({ chatId: fx.chatId }, owner)).rejects.toMatchObject({
          kind: ErrorKind.Unauthenticated,
        });
        await expect(
          (async () => {
            for await (const item of client.exportChats({}, owner)) void item;
          })(),
        ).rejects.toMatchObject({ kind: ErrorKind.Unauthenticated });
      } finally {
        client.close();
      }
      // Nothing was deleted.
      expect(
        (await h.chat.getChat({ chatId: fx.chatId }, { caller: everything(fx.owner) })).chat?.title,
      ).toBe(fx.secret);
    });
  });
});
