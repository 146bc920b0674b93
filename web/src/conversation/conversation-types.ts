// Wire shapes of one chat's message tree (Open WebUI's `chat.history`) and of the completion API.

export interface ChatMessage {
  id: string;
  parentId: string | null;
  childrenIds: string[];
  role: 'user' | 'assistant' | 'system' | string;
  content: string;
  model?: string;
  done?: boolean;
  error?: { content?: string } | null;
  timestamp?: number;
  annotation?: { rating?: number } | null;
  [key: string]: unknown;
}

export interface ChatHistory {
  messages: Record<string, ChatMessage>;
  currentId: string | null;
}

/** `GET /api/v1/chats/:id`. */
export interface ChatDocumentResponse {
  id: string;
  user_id: string;
  title: string;
  chat: { title?: string; history?: ChatHistory; models?: string[]; [key: string]: unknown };
  updated_at: number;
  created_at: number;
  pinned?: boolean;
  archived?: boolean;
  share_id?: string | null;
  folder_id?: string | null;
}

/** Answer of the message-tree routes. */
export interface MessageResult {
  chat_id: string;
  message: ChatMessage | null;
  current_id: string | null;
}

export interface ModelItem {
  id: string;
  name?: string;
  owned_by?: string;
}

export interface CompletionStarted {
  status: boolean;
  task_id: string;
}
