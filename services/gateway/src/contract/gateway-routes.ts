import { apiDocsContract, healthContract } from '../api-docs/api-docs.contract';
import { appConfigContract } from '../app-config/app-config.contract';
import { authsContract } from '../auths/auths.contract';
import { chatsContract } from '../chats/chats.contract';
import { completionsContract } from '../completions/completions.contract';
import { filesContract } from '../files/files.contract';
import { evaluationsContract } from '../evaluations/evaluations.contract';
import { foldersContract } from '../folders/folders.contract';
import { groupsContract } from '../groups/groups.contract';
import { knowledgeContract } from '../knowledge/knowledge.contract';
import { retrievalContract } from '../retrieval/retrieval.contract';
import { runtimeSettingsContract } from '../runtime-settings/runtime-settings.contract';
import { modelsContract } from '../models/models.contract';
import { presetsContract } from '../presets/presets.contract';
import { promptsContract } from '../prompts/prompts.contract';
import { connectionsConfigContract } from '../upstream-proxy/connections-config.contract';
import { upstreamProxyContract } from '../upstream-proxy/upstream-proxy.contract';
import { tasksContract } from '../tasks/tasks.contract';
import { usageContract } from '../usage/usage.contract';
import { usersContract } from '../users/users.contract';
import type { RouteContract } from './route-contract';

/**
 * Every feature's routes, in the order the document lists them. A new feature's `*.contract.ts` is added
 * here; gateway-routes.spec.ts fails while a route Nest serves is missing from this list (or the other
 * way round).
 */
export const GATEWAY_ROUTES: readonly RouteContract[] = [
  appConfigContract,
  runtimeSettingsContract,
  authsContract,
  usersContract,
  groupsContract,
  chatsContract,
  foldersContract,
  evaluationsContract,
  filesContract,
  knowledgeContract,
  retrievalContract,
  modelsContract,
  presetsContract,
  promptsContract,
  usageContract,
  completionsContract,
  tasksContract,
  connectionsConfigContract,
  upstreamProxyContract,
  apiDocsContract,
  healthContract,
].flatMap((feature): RouteContract[] => Object.values(feature));
