import { DomainError, ErrorKind } from '@parley/errors';
import { isObject } from '../chats/chat-document';

/** One chat to import, whatever export it came from. */
export interface ImportItem {
  /** The id in the source system (used to make the import repeatable), if it had one. */
  sourceId: string | null;
  chat: Record<string, unknown>;
  tagNames: string[];
  pinned: boolean;
  archived: boolean;
  folderId: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
}

/** Seconds, milliseconds or nanoseconds since the epoch (all occur in Open WebUI exports) as a Date. */
export function epochToDate(value: unknown): Date | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return null;
  const ms = value > 1e17 ? value / 1e6 : value > 1e14 ? value / 1e3 : value > 1e11 ? value : value * 1000;
  const date = new Date(Math.floor(ms));
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * Reads an item of Open WebUI's export (`{id, user_id, title, chat, meta: {tags}, pinned, archived,
 * folder_id, created_at, updated_at}`), of its import form (`{chat, meta, pinned, folder_id}`), of this
 * product's export (the same shape) or a bare chat document (`{title, history, ...}`).
 */
export function readImportItem(value: unknown, index: number): ImportItem {
  const where = `Chat ${index + 1} of the import`;
  if (!isObject(value)) throw new DomainError(ErrorKind.InvalidArgument, `${where} is not a JSON object.`);
  const wrapped = isObject(value.chat);
  const chat = (wrapped ? value.chat : value) as Record<string, unknown>;
  if (chat.history !== undefined && !isObject(chat.history))
    throw new DomainError(ErrorKind.InvalidArgument, `${where} has a history that is not an object.`);
  const meta = isObject(value.meta) ? value.meta : {};
  const names = [
    ...(Array.isArray(meta.tags) ? meta.tags : []),
    ...(Array.isArray(chat.tags) ? chat.tags : []),
  ]
    .map((t) => (typeof t === 'string' ? t : isObject(t) && typeof t.name === 'string' ? t.name : ''))
    .filter(Boolean);
  const sourceId =
    typeof value.id === 'string' && value.id
      ? value.id
      : typeof chat.id === 'string' && chat.id
        ? chat.id
        : null;
  if (typeof value.title === 'string' && typeof chat.title !== 'string') chat.title = value.title;
  return {
    sourceId,
    chat,
    tagNames: [...new Set(names)],
    pinned: wrapped && value.pinned === true,
    archived: wrapped && value.archived === true,
    folderId: wrapped && typeof value.folder_id === 'string' ? value.folder_id : null,
    createdAt: epochToDate(wrapped ? value.created_at : chat.timestamp),
    updatedAt: epochToDate(wrapped ? value.updated_at : chat.timestamp),
  };
}
