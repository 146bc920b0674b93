// Wire shapes of one chat's message tree (Open WebUI's `chat.history`) and of the completion API, as
// the gateway's contracts declare them (generated; see ../api/rest-types.ts).
import type { components, ChatResponse } from '../api';
export type { ModelItem } from '../models';

type Schemas = components['schemas'];

export type ChatMessage = Schemas['ChatMessage'];
export type ChatHistory = NonNullable<Schemas['ChatDocument']['history']>;
/** `GET /api/v1/chats/{id}`. */
export type ChatDocumentResponse = ChatResponse;
/** Answer of the message-tree routes. */
export type MessageResult = Schemas['MessageResult'];
export type CompletionStarted = Schemas['CompletionStarted'];
