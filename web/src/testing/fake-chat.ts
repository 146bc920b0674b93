import type { ChatListItem } from '../api';
import type { ChatDocumentResponse, ChatMessage } from '../conversation/conversation-types';
import type { ChatCompletionJson } from '../realtime';
import { ADA, renderApp } from './render-app';
import { createFakeServer, type FakeRequest, type FakeServer } from './fake-server';

export const MODELS = [
  { id: 'gpt-fake', name: 'GPT Fake', owned_by: 'openai' },
  { id: 'llama-fake:latest', name: 'llama-fake:latest', owned_by: 'ollama' },
];

type Draft = Partial<ChatMessage> & { id: string; role: string; content: string };

/** A message tree from a flat list: each draft's parentId links it; childrenIds are derived. */
export function tree(drafts: Draft[], currentId?: string) {
  const messages: Record<string, ChatMessage> = {};
  drafts.forEach((d, i) => {
    messages[d.id] = { parentId: null, childrenIds: [], timestamp: i, done: true, ...d };
  });
  for (const m of Object.values(messages)) {
    if (m.parentId && messages[m.parentId]) messages[m.parentId]!.childrenIds.push(m.id);
  }
  return { messages, currentId: currentId ?? drafts[drafts.length - 1]?.id ?? null };
}

/** A long linear chat: user and assistant take turns. */
export function longChat(count: number) {
  const drafts: Draft[] = [];
  for (let i = 0; i < count; i++) {
    drafts.push({
      id: `m${i}`,
      parentId: i === 0 ? null : `m${i - 1}`,
      role: i % 2 === 0 ? 'user' : 'assistant',
      content: `Message number ${i}`,
      model: 'gpt-fake',
    });
  }
  return tree(drafts);
}

export function chatDocument(
  item: ChatListItem,
  history = tree([]),
  extra: Partial<ChatDocumentResponse> = {},
): ChatDocumentResponse {
  return {
    ...item,
    user_id: ADA.id,
    chat: { title: item.title, history, models: [] },
    pinned: false,
    archived: false,
    share_id: item.share_id ?? null,
    folder_id: item.folder_id ?? null,
    meta: { tags: item.tags ?? [] },
    ...extra,
  };
}

/** Routes of one chat and the model list on the fake gateway. */
export function serveChat(server: FakeServer, doc: ChatDocumentResponse, models = MODELS) {
  server.on(`GET /api/v1/chats/${doc.id}`, { body: doc });
  server.on('GET /api/models', { body: { object: 'list', data: models } });
}

/**
 * The app signed in as Ada with one chat open (`#/c/<id>` is the caller's): its document, the model
 * list, a completion that starts, and a messages route that echoes the new message.
 */
export function renderChat(
  chat: ChatListItem,
  history = tree([]),
  extra: Partial<ChatDocumentResponse> = {},
) {
  const server = createFakeServer({
    'GET /api/v1/auths/': { body: ADA },
    'GET /api/v1/chats/?page=1': { body: [chat] },
  });
  serveChat(server, chatDocument(chat, history, extra));
  server.on('POST /api/chat/completions', { body: { status: true, task_id: 'task-1' } });
  server.on(`POST /api/v1/chats/${chat.id}/messages`, (request: FakeRequest) => {
    const { parent_id, message } = request.body as { parent_id: string | null; message: object };
    return { body: { chat_id: chat.id, message: { ...message, parentId: parent_id, childrenIds: [] } } };
  });
  return renderApp({ server });
}

export function completion(
  chatId: string,
  messageId: string,
  seq: number,
  content: string,
  done = false,
  error?: string,
): ChatCompletionJson {
  return { v: 1, chat_id: chatId, message_id: messageId, seq, content, done, ...(error ? { error } : {}) };
}

/**
 * jsdom lays nothing out: give the message scroller an 800 px viewport and each row 100 px, so the
 * virtualised list renders what a browser would. Returns the undo.
 */
export function fakeLayout() {
  const sizes: Record<string, (el: HTMLElement) => number> = {
    clientHeight: (el) => (el.classList.contains('message-scroller') ? 800 : 0),
    clientWidth: (el) => (el.classList.contains('message-scroller') ? 800 : 0),
    scrollHeight: (el) =>
      el.classList.contains('message-scroller')
        ? parseFloat((el.firstElementChild as HTMLElement | null)?.style.height ?? '') || 0
        : 0,
    offsetHeight: (el) => (el.classList.contains('message-row') ? 100 : 0),
    offsetWidth: (el) => (el.classList.contains('message-row') ? 800 : 0),
  };
  const saved = Object.keys(sizes).map(
    (name) => [name, Object.getOwnPropertyDescriptor(HTMLElement.prototype, name)] as const,
  );
  for (const [name, size] of Object.entries(sizes)) {
    Object.defineProperty(HTMLElement.prototype, name, {
      configurable: true,
      get(this: HTMLElement) {
        return size(this);
      },
    });
  }
  // Scrolling: remember the offset and tell listeners, as a browser does.
  const offsets = new WeakMap<Element, number>();
  const scrollTop = Object.getOwnPropertyDescriptor(Element.prototype, 'scrollTop');
  const scrollTo = Object.getOwnPropertyDescriptor(Element.prototype, 'scrollTo');
  Object.defineProperty(Element.prototype, 'scrollTop', {
    configurable: true,
    get(this: Element) {
      return offsets.get(this) ?? 0;
    },
    set(this: Element, value: number) {
      offsets.set(this, value);
      this.dispatchEvent(new Event('scroll'));
    },
  });
  Object.defineProperty(Element.prototype, 'scrollTo', {
    configurable: true,
    value(this: Element, options: ScrollToOptions | number) {
      (this as HTMLElement).scrollTop = typeof options === 'number' ? options : (options.top ?? 0);
    },
  });
  return () => {
    if (scrollTop) Object.defineProperty(Element.prototype, 'scrollTop', scrollTop);
    if (scrollTo) Object.defineProperty(Element.prototype, 'scrollTo', scrollTo);
    else delete (Element.prototype as unknown as Record<string, unknown>)['scrollTo'];
    for (const [name, descriptor] of saved) {
      if (descriptor) Object.defineProperty(HTMLElement.prototype, name, descriptor);
      else delete (HTMLElement.prototype as unknown as Record<string, unknown>)[name];
    }
  };
}
