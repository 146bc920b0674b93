import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorKind } from '@parley/errors';
import { chatV1 } from '@parley/proto';
import { as, ChatClient, docOf, Harness, recordEvents, startChatService } from './chat-service-harness';

const openWebUiExport = JSON.parse(
  readFileSync(join(__dirname, 'fixtures/open-webui-export.json'), 'utf8'),
) as Array<Record<string, unknown>>;

const notFound = { kind: ErrorKind.NotFound };

describe('chat history over gRPC, against PostgreSQL and NATS', () => {
  let h: Harness;
  let chat: ChatClient;
  const alice = randomUUID();
  const bob = randomUUID();

  beforeAll(async () => {
    h = await startChatService({
      CHAT_PAGE_SIZE: '5',
      CHAT_MAX_MESSAGES: '12',
      CHAT_MAX_MESSAGE_BYTES: '2000',
      CHAT_MAX_TAGS: '3',
      CHAT_TAG_MAX_LENGTH: '20',
    });
    chat = h.chat;
  });

  afterAll(() => h.stop());

  const newChat = async (userId = alice, title = 'T', document: object = {}) =>
    (await chat.createChat({ title, chatJson: JSON.stringify(document) }, as(userId))).chat!;
  const open = async (chatId: string, userId = alice) =>
    docOf((await chat.getChat({ chatId }, as(userId))).chat);
  const add = async (chatId: string, parentId: string, message: object, userId = alice) =>
    chat.addMessage({ chatId, parentId, messageJson: JSON.stringify(message) }, as(userId));

  describe('the message tree', () => {
    it('adds messages under a parent without rewriting the chat, and shows the new one', async () => {
      const c = await newChat();
      const q = await add(c.id, '', { id: 'q1', role: 'user', content: 'hello', files: [{ id: 'f' }] });
      const a = await add(c.id, 'q1', { id: 'a1', role: 'assistant', content: 'hi', model: 'm' });
      expect(q.created).toBe(true);
      expect(JSON.parse(a.result!.messageJson)).toMatchObject({ id: 'a1', parentId: 'q1', childrenIds: [] });
      expect(a.result!.currentId).toBe('a1');
      const doc = await open(c.id);
      expect(doc.history.currentId).toBe('a1');
      expect(doc.history.messages.q1).toMatchObject({ childrenIds: ['a1'], files: [{ id: 'f' }] });
      expect(doc.messages.map((m) => m.id)).toEqual(['q1', 'a1']);
    });

    it('edits as a new sibling branch and keeps the old one; switching shows the newest leaf', async () => {
      const c = await newChat();
      await add(c.id, '', { id: 'q', role: 'user', content: 'first try' });
      await add(c.id, 'q', { id: 'a', role: 'assistant', content: 'answer' });
      const edited = await chat.editMessage(
        { chatId: c.id, messageId: 'q', content: 'second try', newMessageId: 'q2' },
        as(alice),
      );
      expect(JSON.parse(edited.result!.messageJson)).toMatchObject({
        id: 'q2',
        parentId: null,
        content: 'second try',
      });
      let doc = await open(c.id);
      expect(doc.history.messages.q!.content).toBe('first try');
      expect(doc.history.currentId).toBe('q2');
      const switched = await chat.switchBranch({ chatId: c.id, messageId: 'q' }, as(alice));
      expect(switched.currentId).toBe('a');
      doc = await open(c.id);
      expect(doc.messages.map((m) => m.id)).toEqual(['q', 'a']);
    });

    it('regenerates an answer as a new empty sibling for the model, and refuses to regenerate a question', async () => {
      const c = await newChat();
      await add(c.id, '', { id: 'q', role: 'user', content: 'q' });
      await add(c.id, 'q', {
        id: 'a',
        role: 'assistant',
        content: 'old',
        model: 'm1',
        usage: { total_tokens: 3 },
      });
      const regen = await chat.regenerateMessage(
        { chatId: c.id, messageId: 'a', model: 'm2', newMessageId: 'a2' },
        as(alice),
      );
      const message = JSON.parse(regen.result!.messageJson);
      expect(message).toMatchObject({
        id: 'a2',
        parentId: 'q',
        role: 'assistant',
        content: '',
        model: 'm2',
        done: false,
      });
      expect(message.usage).toBeUndefined();
      expect((await open(c.id)).history.messages.q!.childrenIds).toEqual(['a', 'a2']);
      await expect(
        chat.regenerateMessage({ chatId: c.id, messageId: 'q', model: '', newMessageId: '' }, as(alice)),
      ).rejects.toMatchObject({ kind: ErrorKind.InvalidArgument });
    });

    it('saves a streamed answer idempotently: append, partials, finish, and late retries change nothing', async () => {
      const c = await newChat();
      await add(c.id, '', { id: 'q', role: 'user', content: 'q' });
      const first = await add(c.id, 'q', { id: 'ans', role: 'assistant', content: '', model: 'm' });
      const retry = await add(c.id, 'q', { id: 'ans', role: 'assistant', content: 'DIFFERENT', model: 'm' });
      expect([first.created, retry.created]).toEqual([true, false]);
      await chat.updateMessageContent(
        { chatId: c.id, messageId: 'ans', content: 'Hel', partial: true },
        as(alice),
      );
      await chat.updateMessageContent(
        { chatId: c.id, messageId: 'ans', content: 'Hello', partial: true },
        as(alice),
      );
      await chat.finishMessage(
        {
          chatId: c.id,
          messageId: 'ans',
          content: 'Hello there',
          dataJson: JSON.stringify({ usage: { total_tokens: 7 } }),
        },
        as(alice),
      );
      await chat.finishMessage(
        { chatId: c.id, messageId: 'ans', content: 'Hello there', dataJson: '{}' },
        as(alice),
      );
      // A partial that arrives after the finish must not cut the answer short.
      await chat.updateMessageContent(
        { chatId: c.id, messageId: 'ans', content: 'Hel', partial: true },
        as(alice),
      );
      const doc = await open(c.id);
      expect(Object.keys(doc.history.messages)).toEqual(['q', 'ans']);
      expect(doc.history.messages.ans).toMatchObject({
        content: 'Hello there',
        done: true,
        usage: { total_tokens: 7 },
      });
    });

    it('marks a failed answer with its error and keeps what was streamed', async () => {
      const c = await newChat();
      await add(c.id, '', { id: 'q', role: 'user', content: 'q' });
      await add(c.id, 'q', { id: 'a', role: 'assistant', content: '' });
      await chat.updateMessageContent(
        { chatId: c.id, messageId: 'a', content: 'partial', partial: true },
        as(alice),
      );
      await chat.failMessage({ chatId: c.id, messageId: 'a', error: 'upstream timed out' }, as(alice));
      await chat.failMessage({ chatId: c.id, messageId: 'a', error: 'upstream timed out' }, as(alice));
      expect((await open(c.id)).history.messages.a).toMatchObject({
        content: 'partial',
        done: true,
        error: { content: 'upstream timed out' },
      });
    });

    it('rates a message with a comment, and refuses a rating that is not -1, 0 or 1', async () => {
      const c = await newChat();
      await add(c.id, '', { id: 'a', role: 'assistant', content: 'x' });
      await chat.rateMessage(
        { chatId: c.id, messageId: 'a', rating: -1, comment: 'wrong', reason: 'facts' },
        as(alice),
      );
      expect((await open(c.id)).history.messages.a!.annotation).toEqual({
        rating: -1,
        comment: 'wrong',
        reason: 'facts',
      });
      await expect(
        chat.rateMessage({ chatId: c.id, messageId: 'a', rating: 5, comment: '', reason: '' }, as(alice)),
      ).rejects.toMatchObject({ kind: ErrorKind.InvalidArgument });
    });

    it('deletes a subtree and moves the view to the newest remaining branch', async () => {
      const c = await newChat();
      await add(c.id, '', { id: 'q', role: 'user', content: 'q' });
      await add(c.id, 'q', { id: 'a1', role: 'assistant', content: '1' });
      await add(c.id, 'q', { id: 'a2', role: 'assistant', content: '2' });
      await add(c.id, 'a2', { id: 'q2', role: 'user', content: 'more' });
      const result = await chat.deleteMessage({ chatId: c.id, messageId: 'a2' }, as(alice));
      expect(result).toMatchObject({ deleted: 2, currentId: 'a1' });
      const doc = await open(c.id);
      expect(Object.keys(doc.history.messages).sort()).toEqual(['a1', 'q']);
      expect(doc.history.currentId).toBe('a1');
    });

    it('refuses a missing parent, an unknown message and messages over the size and count limits', async () => {
      const c = await newChat();
      await expect(add(c.id, 'ghost', { role: 'user', content: 'x' })).rejects.toMatchObject(notFound);
      await expect(
        chat.updateMessageContent(
          { chatId: c.id, messageId: 'nope', content: 'x', partial: true },
          as(alice),
        ),
      ).rejects.toMatchObject({ kind: ErrorKind.NotFound, message: 'No such message.' });
      await expect(add(c.id, '', { role: 'user', content: 'x'.repeat(3000) })).rejects.toMatchObject({
        kind: ErrorKind.PayloadTooLarge,
        message: 'A message is larger than the limit of 2000 bytes.',
      });
      for (let i = 0; i < 12; i++)
        await add(c.id, i ? `m${i - 1}` : '', { id: `m${i}`, role: 'user', content: `${i}` });
      await expect(add(c.id, 'm11', { role: 'user', content: 'one too many' })).rejects.toMatchObject({
        kind: ErrorKind.PayloadTooLarge,
        message: 'A chat may hold at most 12 messages.',
      });
    });

    it("answers NOT_FOUND for every message operation on another user's chat", async () => {
      const c = await newChat(alice);
      await add(c.id, '', { id: 'q', role: 'user', content: 'secret' });
      const calls = [
        () => add(c.id, '', { role: 'user', content: 'x' }, bob),
        () => chat.editMessage({ chatId: c.id, messageId: 'q', content: 'x', newMessageId: '' }, as(bob)),
        () => chat.switchBranch({ chatId: c.id, messageId: 'q' }, as(bob)),
        () => chat.deleteMessage({ chatId: c.id, messageId: 'q' }, as(bob)),
        () => chat.finishMessage({ chatId: c.id, messageId: 'q', content: 'x', dataJson: '' }, as(bob)),
        () => chat.updateChat({ chatId: c.id, chatJson: '{"title":"mine"}' }, as(bob)),
        () => chat.deleteChat({ chatId: c.id }, as(bob)),
        () => chat.setChatPinned({ chatId: c.id }, as(bob)),
        () => chat.shareChat({ chatId: c.id }, as(bob)),
        () => chat.cloneChat({ chatId: c.id, title: '' }, as(bob)),
        () => chat.addChatTag({ chatId: c.id, name: 'x' }, as(bob)),
      ];
      for (const call of calls)
        await expect(call()).rejects.toMatchObject({ kind: ErrorKind.NotFound, message: 'No such chat.' });
      expect((await open(c.id)).history.messages.q!.content).toBe('secret');
    });
  });

  describe('whole chats', () => {
    it('updates with a full Open WebUI document: changed rows rewritten, missing ones removed, fields merged', async () => {
      const c = await newChat(alice, 'Old', { system: 'be brief' });
      await add(c.id, '', { id: 'q', role: 'user', content: 'q' });
      await add(c.id, 'q', { id: 'a', role: 'assistant', content: 'a' });
      const doc = await open(c.id);
      const history = {
        currentId: 'b',
        messages: {
          q: { ...doc.history.messages.q, content: 'q edited' },
          b: { id: 'b', parentId: 'q', role: 'assistant', content: 'b', timestamp: 5 },
        },
      };
      const { chat: updated } = await chat.updateChat(
        { chatId: c.id, chatJson: JSON.stringify({ title: 'New', history, custom: 1 }) },
        as(alice),
      );
      const back = docOf(updated);
      expect(updated!.title).toBe('New');
      expect(Object.keys(back.history.messages).sort()).toEqual(['b', 'q']);
      expect(back.history.messages.q).toMatchObject({ content: 'q edited', childrenIds: ['b'] });
      expect(back).toMatchObject({ system: 'be brief', custom: 1, history: { currentId: 'b' } });
    });

    it('deletes a chat (then 404 everywhere) and publishes chat.updated and chat.deleted', async () => {
      const owner = randomUUID();
      const recorder = recordEvents(h.nats, owner);
      const c = await newChat(owner);
      await chat.setChatPinned({ chatId: c.id }, as(owner));
      await recorder.waitFor((e) => e.subject === 'chat.updated' && e.event.change === 'pinned');
      await chat.deleteChat({ chatId: c.id }, as(owner));
      const deleted = await recorder.waitFor((e) => e.subject === 'chat.deleted');
      expect(deleted.event).toEqual({ v: 1, chat: { id: c.id, user_id: owner } });
      await expect(chat.getChat({ chatId: c.id }, as(owner))).rejects.toMatchObject(notFound);
      await expect(add(c.id, '', { role: 'user', content: 'x' }, owner)).rejects.toMatchObject(notFound);
      await expect(chat.deleteChat({ chatId: c.id }, as(owner))).rejects.toMatchObject(notFound);
      recorder.stop();
    });

    it("deletes all of a user's chats and no one else's", async () => {
      const owner = randomUUID();
      await newChat(owner);
      await newChat(owner);
      const keep = await newChat(bob);
      expect((await chat.deleteAllChats({}, as(owner))).deleted).toBe(2);
      expect((await chat.listChats({ page: 1 }, as(owner))).chats).toEqual([]);
      expect((await chat.getChat({ chatId: keep.id }, as(bob))).chat!.id).toBe(keep.id);
    });

    it("lets an admin read (only read) another user's chat when ENABLE_ADMIN_CHAT_ACCESS allows", async () => {
      const c = await newChat(alice, 'Audited');
      const admin = randomUUID();
      const read = await chat.getChat({ chatId: c.id }, as(admin, { role: 'admin' }));
      expect(read.chat!.title).toBe('Audited');
      await expect(chat.getChat({ chatId: c.id }, as(admin, { role: 'user' }))).rejects.toMatchObject(
        notFound,
      );
      await expect(chat.deleteChat({ chatId: c.id }, as(admin))).rejects.toMatchObject(notFound);
    });
  });

  describe('pins, archive, tags and folders', () => {
    it('pins and archives; lists exclude pinned, foldered and archived chats unless asked', async () => {
      const owner = randomUUID();
      const plain = await newChat(owner, 'plain');
      const pinned = await newChat(owner, 'pinned');
      const archived = await newChat(owner, 'archived');
      await chat.setChatPinned({ chatId: pinned.id }, as(owner));
      await chat.setChatArchived({ chatId: archived.id }, as(owner));
      const titles = async (request: {
        page?: number;
        scope?: chatV1.ChatListScope;
        includePinned?: boolean;
      }) => (await chat.listChats({ page: 1, ...request }, as(owner))).chats.map((c) => c.title);
      expect(await titles({})).toEqual(['plain']);
      expect(await titles({ includePinned: true })).toEqual(['pinned', 'plain']);
      expect(await titles({ scope: chatV1.ChatListScope.PINNED, page: 0 })).toEqual(['pinned']);
      expect(await titles({ scope: chatV1.ChatListScope.ARCHIVED })).toEqual(['archived']);
      expect((await chat.setChatPinned({ chatId: pinned.id }, as(owner))).chat!.pinned).toBe(false);
      expect((await chat.archiveAllChats({ archived: true }, as(owner))).changed).toBe(2);
      expect(await titles({ includePinned: true })).toEqual([]);
      expect(plain.id).toBeTruthy();
    });

    it('adds and removes tags (normalised, limited), lists them and drops a tag no chat carries', async () => {
      const owner = randomUUID();
      const c = await newChat(owner);
      const other = await newChat(owner);
      expect((await chat.addChatTag({ chatId: c.id, name: 'Work Stuff' }, as(owner))).tags).toEqual([
        expect.objectContaining({ id: 'work_stuff', name: 'Work Stuff', userId: owner }),
      ]);
      await chat.addChatTag({ chatId: c.id, name: 'work stuff' }, as(owner));
      await chat.addChatTag({ chatId: other.id, name: 'solo' }, as(owner));
      expect((await chat.getChatTags({ chatId: c.id }, as(owner))).tags.map((t) => t.id)).toEqual([
        'work_stuff',
      ]);
      expect((await chat.listTags({}, as(owner))).tags.map((t) => t.id).sort()).toEqual([
        'solo',
        'work_stuff',
      ]);
      const byTag = await chat.listChats(
        { page: 1, scope: chatV1.ChatListScope.TAG, tag: 'Work Stuff' },
        as(owner),
      );
      expect(byTag.chats.map((x) => x.id)).toEqual([c.id]);
      await chat.removeChatTag({ chatId: other.id, name: 'solo' }, as(owner));
      expect((await chat.listTags({}, as(owner))).tags.map((t) => t.id)).toEqual(['work_stuff']);
      await expect(chat.addChatTag({ chatId: c.id, name: 'None' }, as(owner))).rejects.toThrow(
        "Tag name cannot be 'None'",
      );
      await expect(chat.addChatTag({ chatId: c.id, name: 'x'.repeat(21) }, as(owner))).rejects.toThrow(
        'A tag is longer than the limit of 20 characters.',
      );
      await chat.addChatTag({ chatId: c.id, name: 'b' }, as(owner));
      await chat.addChatTag({ chatId: c.id, name: 'c' }, as(owner));
      await expect(chat.addChatTag({ chatId: c.id, name: 'd' }, as(owner))).rejects.toMatchObject({
        kind: ErrorKind.PayloadTooLarge,
        message: 'A chat may have at most 3 tags.',
      });
    });

    it('creates, nests, renames and moves folders, refusing duplicates and cycles', async () => {
      const owner = randomUUID();
      const top = (await chat.createFolder({ name: 'Work' }, as(owner))).folder!;
      const sub = (await chat.createFolder({ name: 'Q3', parentId: top.id }, as(owner))).folder!;
      expect(sub.parentId).toBe(top.id);
      await expect(chat.createFolder({ name: 'work' }, as(owner))).rejects.toThrow('Folder already exists');
      await expect(chat.updateFolder({ folderId: top.id, parentId: sub.id }, as(owner))).rejects.toThrow(
        'cannot be moved into itself',
      );
      const renamed = (await chat.updateFolder({ folderId: sub.id, name: 'Q4', isExpanded: true }, as(owner)))
        .folder!;
      expect(renamed).toMatchObject({ name: 'Q4', isExpanded: true });
      const moved = (await chat.updateFolder({ folderId: sub.id, parentId: '' }, as(owner))).folder!;
      expect(moved.parentId).toBe('');
      await expect(chat.getFolder({ folderId: top.id }, as(bob))).rejects.toMatchObject(notFound);
      expect((await chat.listFolders({}, as(owner))).folders.map((f) => f.name)).toEqual(['Work', 'Q4']);
    });

    it('moves chats into folders and deletes a folder with or without its chats', async () => {
      const owner = randomUUID();
      const keepFolder = (await chat.createFolder({ name: 'Keep' }, as(owner))).folder!;
      const inner = (await chat.createFolder({ name: 'Inner', parentId: keepFolder.id }, as(owner))).folder!;
      const dropFolder = (await chat.createFolder({ name: 'Drop' }, as(owner))).folder!;
      const a = await newChat(owner, 'a');
      const b = await newChat(owner, 'b');
      await chat.setChatPinned({ chatId: a.id, pinned: true }, as(owner));
      const moved = (await chat.moveChatToFolder({ chatId: a.id, folderId: inner.id }, as(owner))).chat!;
      expect(moved).toMatchObject({ folderId: inner.id, pinned: false });
      await chat.moveChatToFolder({ chatId: b.id, folderId: dropFolder.id }, as(owner));
      await expect(chat.moveChatToFolder({ chatId: a.id, folderId: '' }, as(bob))).rejects.toMatchObject(
        notFound,
      );
      const foreign = (await chat.createFolder({ name: 'Bob' }, as(bob))).folder!;
      await expect(chat.moveChatToFolder({ chatId: a.id, folderId: foreign.id }, as(owner))).rejects.toThrow(
        'No such folder.',
      );
      const inFolder = await chat.listChats(
        { page: 1, scope: chatV1.ChatListScope.FOLDER, folderId: inner.id },
        as(owner),
      );
      expect(inFolder.chats.map((c) => c.id)).toEqual([a.id]);

      expect(
        (await chat.deleteFolder({ folderId: keepFolder.id, deleteContents: false }, as(owner))).deletedChats,
      ).toBe(0);
      expect((await chat.getChat({ chatId: a.id }, as(owner))).chat!.folderId).toBe('');
      expect(
        (await chat.deleteFolder({ folderId: dropFolder.id, deleteContents: true }, as(owner))).deletedChats,
      ).toBe(1);
      await expect(chat.getChat({ chatId: b.id }, as(owner))).rejects.toMatchObject(notFound);
      expect((await chat.listFolders({}, as(owner))).folders).toEqual([]);
    });
  });

  describe('sharing and cloning', () => {
    it('shows a snapshot: later edits do not leak, re-sharing refreshes it, unsharing ends it', async () => {
      const c = await newChat(alice, 'Shared');
      await add(c.id, '', { id: 'q', role: 'user', content: 'before' });
      const shared = (await chat.shareChat({ chatId: c.id }, as(alice))).chat!;
      expect(shared.shareId).toBeTruthy();
      await chat.updateMessageContent(
        { chatId: c.id, messageId: 'q', content: 'after', partial: false },
        as(alice),
      );
      await add(c.id, 'q', { id: 'a', role: 'assistant', content: 'secret' });
      const seen = docOf((await chat.getSharedChat({ shareId: shared.shareId }, as(bob))).chat);
      expect(Object.keys(seen.history.messages)).toEqual(['q']);
      expect(seen.history.messages.q!.content).toBe('before');
      const reshared = (await chat.shareChat({ chatId: c.id }, as(alice))).chat!;
      expect(reshared.shareId).toBe(shared.shareId);
      expect(
        docOf((await chat.getSharedChat({ shareId: shared.shareId }, as(bob))).chat).history.messages.q!
          .content,
      ).toBe('after');
      // The link gives the snapshot and nothing else.
      await expect(chat.getChat({ chatId: c.id }, as(bob))).rejects.toMatchObject(notFound);
      expect((await chat.unshareChat({ chatId: c.id }, as(alice))).wasShared).toBe(true);
      expect((await chat.unshareChat({ chatId: c.id }, as(alice))).wasShared).toBe(false);
      await expect(chat.getSharedChat({ shareId: shared.shareId }, as(bob))).rejects.toMatchObject({
        kind: ErrorKind.NotFound,
        message: 'No such shared chat.',
      });
    });

    it("clones a chat (remembering the original) and a shared chat into the caller's own", async () => {
      const c = await newChat(alice, 'Original');
      await add(c.id, '', { id: 'q', role: 'user', content: 'hi' });
      await chat.addChatTag({ chatId: c.id, name: 'keep' }, as(alice));
      const clone = (await chat.cloneChat({ chatId: c.id, title: '' }, as(alice))).chat!;
      expect(clone).toMatchObject({ title: 'Clone of Original', tags: ['keep'] });
      expect(docOf(clone)).toMatchObject({ originalChatId: c.id, branchPointMessageId: 'q' });
      const { shareId } = (await chat.shareChat({ chatId: c.id }, as(alice))).chat!;
      const bobs = (await chat.cloneSharedChat({ shareId }, as(bob))).chat!;
      expect(bobs).toMatchObject({ userId: bob, title: 'Clone of Original', tags: [] });
      expect(
        Object.keys(docOf((await chat.getChat({ chatId: bobs.id }, as(bob))).chat).history.messages),
      ).toEqual(['q']);
    });
  });

  describe('search', () => {
    it('finds words in titles and message text with prefix matching and the tag/folder/pinned/archived filters', async () => {
      const owner = randomUUID();
      const folder = (await chat.createFolder({ name: 'Ops Work' }, as(owner))).folder!;
      const k8s = await newChat(owner, 'Kubernetes rollout');
      const soup = await newChat(owner, 'Dinner');
      await add(soup.id, '', { role: 'user', content: 'A recipe for tomato soup, please' }, owner);
      const old = await newChat(owner, 'Old kubernetes notes');
      await chat.setChatArchived({ chatId: old.id }, as(owner));
      await chat.addChatTag({ chatId: k8s.id, name: 'devops' }, as(owner));
      await chat.moveChatToFolder({ chatId: k8s.id, folderId: folder.id }, as(owner));
      await newChat(bob, 'Kubernetes for bob');
      const search = async (text: string) =>
        (await chat.searchChats({ text, page: 1 }, as(owner))).chats.map((c) => c.title);
      expect(await search('kube')).toEqual(['Kubernetes rollout']);
      expect(await search('TOMATO')).toEqual(['Dinner']);
      expect(await search('tomato kubernetes')).toEqual([]);
      expect(await search('kubernetes archived:true')).toEqual(['Old kubernetes notes']);
      expect(await search('tag:devops')).toEqual(['Kubernetes rollout']);
      expect(await search('folder:ops_work')).toEqual(['Kubernetes rollout']);
      expect(await search('pinned:true')).toEqual([]);
      expect(await search("'); DROP TABLE chat.chats; --")).toEqual([]);
      expect((await search('')).sort()).toEqual(['Dinner', 'Kubernetes rollout']);
    });
  });

  describe('export and import', () => {
    it('imports an Open WebUI export with branches, files and tags, idempotently', async () => {
      const owner = randomUUID();
      const items = openWebUiExport.map((item) => JSON.stringify(item));
      const first = await chat.importChats({ itemsJson: items }, as(owner));
      expect(first.chats).toHaveLength(2);
      expect(first.skipped).toBe(0);
      const k8s = first.chats.find((c) => c.title === 'Kubernetes rollout question')!;
      expect(k8s).toMatchObject({
        pinned: true,
        archived: false,
        tags: ['devops', 'kubernetes_tips'],
        folderId: '',
      });
      expect(k8s.createdAt).toBe(1718000000n);
      const doc = docOf(k8s);
      const source = (openWebUiExport[0]!.chat as { history: { messages: Record<string, object> } }).history;
      expect(doc.history).toEqual(source);
      expect(doc).toMatchObject({ system: 'Answer briefly.', models: ['llama3.1:8b'] });
      expect(first.chats.find((c) => c.title === 'Soup recipe')).toMatchObject({
        archived: true,
        tags: ['cooking'],
      });
      expect((await chat.listTags({}, as(owner))).tags.map((t) => t.name).sort()).toEqual([
        'Kubernetes Tips',
        'cooking',
        'devops',
      ]);

      const again = await chat.importChats({ itemsJson: items }, as(owner));
      expect(again).toMatchObject({ chats: [], skipped: 2 });
    });

    it('streams an export that imports again to the same result, for the same and another user', async () => {
      const owner = randomUUID();
      await chat.importChats({ itemsJson: openWebUiExport.map((i) => JSON.stringify(i)) }, as(owner));
      const exported: chatV1.Chat[] = [];
      for await (const item of chat.exportChats({}, as(owner))) exported.push(item.chat!);
      expect(exported.map((c) => c.title)).toEqual(['Kubernetes rollout question', 'Soup recipe']);
      const asOpenWebUi = exported.map((c) =>
        JSON.stringify({
          id: c.id,
          user_id: c.userId,
          title: c.title,
          chat: JSON.parse(c.chatJson),
          pinned: c.pinned,
          archived: c.archived,
          meta: { tags: c.tags },
          folder_id: c.folderId || null,
          created_at: Number(c.createdAt),
          updated_at: Number(c.updatedAt),
        }),
      );
      expect(await chat.importChats({ itemsJson: asOpenWebUi }, as(owner))).toMatchObject({
        chats: [],
        skipped: 2,
      });
      const other = randomUUID();
      const copy = await chat.importChats({ itemsJson: asOpenWebUi }, as(other));
      const shape = (c: chatV1.Chat) => ({
        title: c.title,
        chat: JSON.parse(c.chatJson),
        pinned: c.pinned,
        archived: c.archived,
        tags: c.tags,
        createdAt: c.createdAt,
      });
      expect(copy.chats.map(shape)).toEqual(exported.map(shape));
    });

    it('refuses an import item that is not a chat, naming which one', async () => {
      await expect(
        chat.importChats({ itemsJson: ['{"chat":{}}', '"text"'] }, as(alice)),
      ).rejects.toMatchObject({
        kind: ErrorKind.InvalidArgument,
        message: 'Chat 2 of the import is not a JSON object.',
      });
      await expect(
        chat.importChats(
          { itemsJson: [JSON.stringify({ chat: { history: { messages: { a: { parentId: 'zz' } } } } })] },
          as(alice),
        ),
      ).rejects.toThrow('Chat 1 of the import: Message a names a parent that is not in the chat.');
    });
  });
});
