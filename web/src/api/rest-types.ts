// The REST API's wire types, named for the app. Every shape comes from the gateway's route contracts
// through /openapi.json (generated/rest-api.ts, made by `nx run web:generate`); nothing here restates
// a field. A new field goes into the gateway's `*.contract.ts` and arrives here on the next build.
import type { components, paths } from './generated/rest-api';

type Schemas = components['schemas'];

export type { components, paths };

/** The JSON answer of a route: `ResponseOf<'/api/v1/chats/', 'get'>`. */
export type ResponseOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

/** The JSON body a route takes. */
export type BodyOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer T } };
}
  ? T
  : never;

export type SessionUser = Schemas['SessionUser'];
export type UserRole = SessionUser['role'];
export type SignInResponse = Schemas['SignInResponse'];
export type SignInRequest = Schemas['SignInForm'];
export type SignUpRequest = Schemas['SignUpForm'];
export type ApiKeyInfo = Schemas['ApiKey'];
export type UserSettings = Schemas['UserSettings'];
export type UserPage = Schemas['UserPage'];

/**
 * One row of `GET /api/v1/chats/`. Rows made in the app (a chat just created, one from a socket event)
 * carry only the id, title and timestamps, so the rest is optional here.
 */
export type ChatListItem = Pick<Schemas['ChatListItem'], 'id' | 'title' | 'created_at' | 'updated_at'> &
  Partial<Schemas['ChatListItem']>;
export type ChatResponse = Schemas['ChatResponse'];
export type Tag = Schemas['Tag'];
export type Folder = Schemas['Folder'];

export type Group = Schemas['Group'];
export type GroupInput = Schemas['GroupForm'];
export type OpenAiConfig = Schemas['OpenAIConnections'];
export type OllamaConfig = Schemas['OllamaConnections'];
export type OpenAiConfigForm = Schemas['OpenAIConnectionsForm'];
export type OllamaConfigForm = Schemas['OllamaConnectionsForm'];

export type Model = Schemas['Model'];
export type Preset = Schemas['Preset'];
export type PresetForm = Schemas['PresetForm'];
export type UsageRow = Schemas['UsageRow'];
export type UsagePage = Schemas['UsagePage'];
export type UsageLimit = Schemas['UsageLimit'];
export type UsageLimits = Schemas['UsageLimits'];
export type FileModel = Schemas['FileModel'];

export type Knowledge = Schemas['Knowledge'];
export type KnowledgeFile = Schemas['KnowledgeFile'];
export type KnowledgeForm = Schemas['KnowledgeForm'];
export type AccessControl = Knowledge['access_control'];
export type RetrievalQueryResult = Schemas['RetrievalQueryResult'];
export type QueryCollectionsForm = Schemas['QueryCollectionsForm'];
export type RetrievalConfig = Schemas['RetrievalConfig'];
export type RetrievalConfigForm = Schemas['RetrievalConfigForm'];
export type RetrievalEmbeddingConfig = Schemas['RetrievalEmbeddingConfig'];
export type EmbeddingModelUpdateForm = Schemas['EmbeddingModelUpdateForm'];
