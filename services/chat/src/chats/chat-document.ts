import { DomainError, ErrorKind, describeUnsafeInput } from '@parley/errors';

/** One message of Open WebUI's `history.messages` map. */
export interface MessageDocument {
  id: string;
  parentId: string | null;
  childrenIds: string[];
  role: string;
  content: string;
  model?: string;
  timestamp: number;
  [field: string]: unknown;
}

/** Open WebUI's `chat` JSON, the shape clients read and write. */
export interface ChatDocument {
  title: string;
  models: unknown[];
  params: Record<string, unknown>;
  history: { messages: Record<string, MessageDocument>; currentId: string | null };
  messages: MessageDocument[];
  [field: string]: unknown;
}

export interface ParsedMessage {
  id: string;
  parentId: string | null;
  role: string;
  content: string;
  model: string | null;
  timestamp: number;
  data: Record<string, unknown>;
}

export interface ParsedChat {
  title?: string;
  models: unknown[];
  params: Record<string, unknown>;
  meta: Record<string, unknown>;
  currentMessageId: string | null;
  messages: ParsedMessage[];
}

const MESSAGE_COLUMNS = new Set(['id', 'parentId', 'childrenIds', 'role', 'content', 'model', 'timestamp']);
const DOCUMENT_COLUMNS = new Set(['title', 'models', 'params', 'history', 'messages', 'id']);

/**
 * Splits an incoming chat document into the columns and message rows it is stored as. Unknown
 * top-level and per-message fields are kept (in meta/data) so a round trip loses nothing.
 */
export function parseChatDocument(
  raw: string,
  limits: { maxBytes: number; maxMessages: number },
): ParsedChat {
  if (Buffer.byteLength(raw) > limits.maxBytes) {
    throw new DomainError(
      ErrorKind.PayloadTooLarge,
      `The chat is larger than the limit of ${limits.maxBytes} bytes.`,
    );
  }
  let doc: unknown;
  try {
    doc = raw ? JSON.parse(raw) : {};
  } catch {
    throw new DomainError(ErrorKind.InvalidArgument, 'The chat is not valid JSON.');
  }
  // Escaped NULs, lone surrogates and deep nesting only show once parsed; refuse them before PostgreSQL
  // or Prisma's recursive JSON handling sees them.
  refuseUnsafe(doc, 'chat');
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new DomainError(ErrorKind.InvalidArgument, 'The chat must be a JSON object.');
  }
  const record = doc as Record<string, unknown>;
  const meta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!DOCUMENT_COLUMNS.has(key)) meta[key] = value;
  const history = (record.history ?? {}) as { messages?: Record<string, unknown>; currentId?: unknown };
  const entries = Object.entries(history.messages ?? {});
  if (entries.length > limits.maxMessages) {
    throw new DomainError(
      ErrorKind.PayloadTooLarge,
      `A chat may hold at most ${limits.maxMessages} messages.`,
    );
  }
  const messages = entries.map(([id, value]) => parseMessage(id, value));
  const ids = new Set(messages.map((m) => m.id));
  for (const message of messages) {
    if (message.parentId !== null && !ids.has(message.parentId)) {
      throw new DomainError(
        ErrorKind.InvalidArgument,
        `Message ${message.id} names a parent that is not in the chat.`,
      );
    }
  }
  const currentId =
    typeof history.currentId === 'string' && ids.has(history.currentId) ? history.currentId : null;
  return {
    title: typeof record.title === 'string' ? record.title : undefined,
    models: Array.isArray(record.models) ? record.models : [],
    params: isObject(record.params) ? record.params : {},
    meta,
    currentMessageId: currentId,
    messages: orderParentsFirst(messages),
  };
}

function parseMessage(key: string, value: unknown): ParsedMessage {
  if (!isObject(value)) throw new DomainError(ErrorKind.InvalidArgument, `Message ${key} is not an object.`);
  const id = typeof value.id === 'string' && value.id ? value.id : key;
  if (id.length > 200)
    throw new DomainError(ErrorKind.InvalidArgument, 'A message id is longer than 200 characters.');
  const data: Record<string, unknown> = {};
  for (const [field, fieldValue] of Object.entries(value))
    if (!MESSAGE_COLUMNS.has(field)) data[field] = fieldValue;
  return {
    id,
    parentId: typeof value.parentId === 'string' ? value.parentId : null,
    role: typeof value.role === 'string' ? value.role : 'user',
    content: typeof value.content === 'string' ? value.content : '',
    model: typeof value.model === 'string' ? value.model : null,
    timestamp:
      typeof value.timestamp === 'number' ? Math.floor(value.timestamp) : Math.floor(Date.now() / 1000),
    data,
  };
}

/** Parents before children, so sibling order (by insertion) follows the tree. */
function orderParentsFirst(messages: ParsedMessage[]): ParsedMessage[] {
  const byParent = new Map<string | null, ParsedMessage[]>();
  for (const m of messages) byParent.set(m.parentId, [...(byParent.get(m.parentId) ?? []), m]);
  const ordered: ParsedMessage[] = [];
  const queue = [...(byParent.get(null) ?? [])];
  while (queue.length) {
    const next = queue.shift()!;
    ordered.push(next);
    queue.push(...(byParent.get(next.id) ?? []));
  }
  if (ordered.length !== messages.length) {
    throw new DomainError(ErrorKind.InvalidArgument, 'The message history has a cycle.');
  }
  return ordered;
}

/** One message as Open WebUI's JSON, with its children in insertion order. */
export function messageDocument(row: ParsedMessage, childrenIds: string[]): MessageDocument {
  return {
    ...row.data,
    id: row.id,
    parentId: row.parentId,
    childrenIds,
    role: row.role,
    content: row.content,
    ...(row.model ? { model: row.model } : {}),
    timestamp: row.timestamp,
  };
}

/** Parses one incoming message object (AddMessage), with the byte limit stated in the error. */
export function parseMessageJson(raw: string, maxBytes: number): Record<string, unknown> {
  if (Buffer.byteLength(raw) > maxBytes) {
    throw new DomainError(
      ErrorKind.PayloadTooLarge,
      `A message is larger than the limit of ${maxBytes} bytes.`,
    );
  }
  let value: unknown;
  try {
    value = raw ? JSON.parse(raw) : {};
  } catch {
    throw new DomainError(ErrorKind.InvalidArgument, 'The message is not valid JSON.');
  }
  refuseUnsafe(value, 'message');
  if (!isObject(value))
    throw new DomainError(ErrorKind.InvalidArgument, 'The message must be a JSON object.');
  return value;
}

export { parseMessage };

/** Builds the Open WebUI document back from the rows. */
export function buildChatDocument(
  chat: { title: string; models: unknown; params: unknown; meta: unknown; currentMessageId: string | null },
  rows: ParsedMessage[],
): ChatDocument {
  const messages: Record<string, MessageDocument> = {};
  for (const row of rows) messages[row.id] = messageDocument(row, []);
  for (const row of rows)
    if (row.parentId && messages[row.parentId]) messages[row.parentId]!.childrenIds.push(row.id);
  const branch: MessageDocument[] = [];
  for (let id = chat.currentMessageId; id && messages[id]; id = messages[id]!.parentId)
    branch.unshift(messages[id]!);
  return {
    ...(isObject(chat.meta) ? chat.meta : {}),
    title: chat.title,
    models: Array.isArray(chat.models) ? chat.models : [],
    params: isObject(chat.params) ? chat.params : {},
    history: { messages, currentId: chat.currentMessageId },
    messages: branch,
  };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refuseUnsafe(value: unknown, root: string): void {
  const problem = describeUnsafeInput(value, { root });
  if (problem) throw new DomainError(ErrorKind.InvalidArgument, `Invalid ${root}: ${problem}.`);
}
