import type { ServiceHandlers } from '@parley/grpc';
import { apiV1Chats } from '@parley/proto';
import type { DownstreamClients } from '../downstream/downstream-clients';
import {
  chatResource,
  currentMessageId,
  messageResource,
  parseChatDocument,
  parseJsonObject,
  roleName,
} from './chat-resources';
import { collectPage } from './page-token';
import { invalidArgument, limitText, requireText } from './request-checks';
import { userOf } from './user-of';

type ChatMethods = typeof apiV1Chats.ChatService extends { method: infer M } ? M : never;

const TITLE_MAX = 1000;
const CONTENT_MAX = 1_000_000;

/** parley.api.v1.ChatService over the chat service, as the calling user. */
export function chatHandlers(downstream: DownstreamClients): ServiceHandlers<ChatMethods> {
  const chat = downstream.chat;
  return {
    async createChat(request, call) {
      const title = limitText('title', request.title, TITLE_MAX);
      const reply = await chat.createChat(
        {
          title,
          // The document a new chat of the web app starts with, so it opens there like any other.
          chatJson: JSON.stringify({
            title,
            models: [],
            messages: [],
            history: { messages: {}, currentId: null },
          }),
          folderId: '',
        },
        { caller: userOf(call) },
      );
      return { chat: chatResource(reply.chat) };
    },

    async getChat(request, call) {
      const chatId = requireText('id', request.id, 200);
      const reply = await chat.getChat({ chatId }, { caller: userOf(call) });
      return { chat: chatResource(reply.chat, true) };
    },

    async listChats(request, call) {
      const caller = userOf(call);
      const page = await collectPage(request, 'list', (p) => chat.listChats({ page: p }, { caller }));
      return { chats: page.items.map((c) => chatResource(c)), nextPageToken: page.nextPageToken };
    },

    async searchChats(request, call) {
      const caller = userOf(call);
      const query = requireText('query', request.query, 1000);
      const page = await collectPage(request, `search:${query}`, (p) =>
        chat.searchChats({ text: query, page: p }, { caller }),
      );
      return { chats: page.items.map((c) => chatResource(c)), nextPageToken: page.nextPageToken };
    },

    async updateChat(request, call) {
      const caller = userOf(call);
      if (!request.chat) throw invalidArgument('chat', 'is required');
      const chatId = requireText('chat.id', request.chat.id, 200);
      const paths = request.updateMask?.paths ?? [];
      if (!paths.length) throw invalidArgument('update_mask', 'is required (the fields to change: title)');
      for (const path of paths)
        if (path !== 'title')
          throw invalidArgument('update_mask', `"${path.slice(0, 100)}" cannot be changed (only title)`);
      const title = limitText('chat.title', request.chat.title, TITLE_MAX);
      const reply = await chat.setChatTitle({ chatId, title }, { caller });
      return { chat: chatResource(reply.chat) };
    },

    async deleteChat(request, call) {
      const chatId = requireText('id', request.id, 200);
      await chat.deleteChat({ chatId }, { caller: userOf(call) });
      return {};
    },

    async appendMessage(request, call) {
      const caller = userOf(call);
      const chatId = requireText('chat_id', request.chatId, 200);
      const role = roleName(request.role);
      if (!role) throw invalidArgument('role', 'is required (ROLE_USER, ROLE_ASSISTANT or ROLE_SYSTEM)');
      const content = requireText('content', request.content, CONTENT_MAX);
      let parentId = limitText('parent_id', request.parentId, 200);
      if (!parentId) {
        const current = await chat.getChat({ chatId }, { caller });
        parentId = currentMessageId(parseChatDocument(current.chat?.chatJson ?? ''));
      }
      const reply = await chat.addMessage(
        {
          chatId,
          parentId,
          messageJson: JSON.stringify({
            role,
            content,
            timestamp: Math.floor(Date.now() / 1000),
            ...(role === 'assistant' ? { done: true } : {}),
          }),
        },
        { caller },
      );
      return { message: messageResource(parseJsonObject(reply.result?.messageJson ?? '')) };
    },
  };
}
