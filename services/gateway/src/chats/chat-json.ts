import { chatV1 } from '@parley/proto';
import type { z } from '../contract/zod-openapi';
import type { chatDocument, chatListItem, chatMessage, chatResponse, tag } from './chats.contract';

const nullIfEmpty = (value: string | undefined) => value || null;

/** Open WebUI's ChatResponse. */
export function chatJson(chat: chatV1.Chat | undefined): z.input<typeof chatResponse> {
  const document = chat?.chatJson ? (JSON.parse(chat.chatJson) as z.input<typeof chatDocument>) : {};
  return {
    id: chat?.id ?? '',
    user_id: chat?.userId ?? '',
    title: chat?.title ?? '',
    chat: document,
    updated_at: Number(chat?.updatedAt ?? 0n),
    created_at: Number(chat?.createdAt ?? 0n),
    share_id: nullIfEmpty(chat?.shareId),
    archived: chat?.archived ?? false,
    pinned: chat?.pinned ?? false,
    meta: { tags: chat?.tags ?? [] },
    folder_id: nullIfEmpty(chat?.folderId),
  };
}

/** Open WebUI's ChatTitleIdResponse, plus what a sidebar row shows (so it asks nothing per row). */
export function summaryJson(c: chatV1.ChatSummary): z.input<typeof chatListItem> {
  return {
    id: c.id,
    title: c.title,
    updated_at: Number(c.updatedAt),
    created_at: Number(c.createdAt),
    pinned: c.pinned,
    archived: c.archived,
    folder_id: nullIfEmpty(c.folderId),
    share_id: nullIfEmpty(c.shareId),
    tags: [...c.tags],
  };
}

export function tagJson(t: chatV1.Tag): z.input<typeof tag> {
  return { id: t.id, name: t.name, user_id: t.userId, meta: t.metaJson ? JSON.parse(t.metaJson) : null };
}

export function messageResultJson(chatId: string, result: chatV1.MessageResult | undefined) {
  return {
    chat_id: chatId,
    message: result?.messageJson ? (JSON.parse(result.messageJson) as z.input<typeof chatMessage>) : null,
    current_id: nullIfEmpty(result?.currentId),
  };
}

export { nullIfEmpty };
