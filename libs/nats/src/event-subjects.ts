import {
  create,
  fromJson,
  isMessage,
  toJson,
  type DescMessage,
  type JsonValue,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import { eventsV1, fileEventsV1 } from '@parley/proto';

/**
 * Which subject carries which message: the one table of NATS events (payloads are the protobuf messages
 * of proto/parley/events/v1, docs/events.md). `NatsClient.publish` and `subscribe` take an entry of it,
 * so a producer cannot put a payload of the wrong shape on a subject, and a consumer gets the decoded
 * message or nothing.
 */
export interface EventSpec<Desc extends DescMessage = DescMessage> {
  readonly subject: string;
  readonly schema: Desc;
}

/** Subjects with an id in them (`completion.<message_id>`): one message, one subject per id. */
export interface EventFamily<Desc extends DescMessage = DescMessage> {
  /** The subject to subscribe to for every member (NATS wildcard `*` for the id). */
  readonly pattern: string;
  readonly schema: Desc;
  /** The subject of one member. */
  at(token: string): EventSpec<Desc>;
  /** The id in a member's subject, or undefined for a subject that is not one of this family's. */
  tokenOf(subject: string): string | undefined;
}

/** The version every payload with a `v` field carries today (docs/events.md: a breaking change bumps it). */
export const EVENT_VERSION = 1;

export function event<Desc extends DescMessage>(subject: string, schema: Desc): EventSpec<Desc> {
  return { subject, schema };
}

/** A family whose subject is `before` + token + `after`; the token is one NATS subject token. */
export function eventFamily<Desc extends DescMessage>(
  before: string,
  after: string,
  schema: Desc,
): EventFamily<Desc> {
  return {
    pattern: `${before}*${after}`,
    schema,
    at: (token) => {
      if (!token || /[\s.*>]/.test(token)) throw new Error(`"${token}" is not a NATS subject token`);
      return { subject: `${before}${token}${after}`, schema };
    },
    tokenOf: (subject) => {
      if (!subject.startsWith(before) || !subject.endsWith(after)) return undefined;
      const token = subject.slice(before.length, subject.length - after.length);
      return token && !token.includes('.') ? token : undefined;
    },
  };
}

export const EVENTS = {
  userCreated: event('auth.user_created', eventsV1.UserChangedSchema),
  userUpdated: event('auth.user_updated', eventsV1.UserChangedSchema),
  userDeleted: event('auth.user_deleted', eventsV1.UserChangedSchema),

  chatCreated: event('chat.created', eventsV1.ChatCreatedSchema),
  chatUpdated: event('chat.updated', eventsV1.ChatUpdatedSchema),
  chatDeleted: event('chat.deleted', eventsV1.ChatDeletedSchema),
  chatTitleSet: event('chat.title_set', eventsV1.ChatTitleSetSchema),

  taskStarted: event('task.started', eventsV1.TaskEventSchema),
  taskStopped: event('task.stopped', eventsV1.TaskEventSchema),

  /** `completion.<message_id>`: the deltas of one answer (captured by realtime's JetStream stream). */
  completionDelta: eventFamily('completion.', '', eventsV1.CompletionDeltaSchema),

  connectionsChanged: event('model_gateway.connections_changed', eventsV1.TableChangedSchema),
  presetsChanged: event('model_gateway.presets_changed', eventsV1.TableChangedSchema),
  usageLimitsChanged: event('model_gateway.usage_limits_changed', eventsV1.TableChangedSchema),
  /** Core NATS, every model-gateway copy: an admin changed the task settings (docs/tasks.md). */
  taskConfigChanged: event('model_gateway.task_config_changed', eventsV1.TableChangedSchema),
  /** `model_gateway.<MODEL_GATEWAY_CLUSTER>.task.stop`, to every copy of one cluster. */
  taskStop: eventFamily('model_gateway.', '.task.stop', eventsV1.TaskStopRequestedSchema),

  /** `file.status` (core NATS); file.uploaded/processed/deleted go through JetStream (docs/files.md). */
  fileStatus: event('file.status', fileEventsV1.FileStatusChangedSchema),

  /** Core NATS: a file's indexing state (realtime: `file:status` with stage "index"). */
  fileIndexStatus: event('retrieval.file_index_status', eventsV1.FileIndexStatusChangedSchema),
  /** Core NATS: a knowledge base's files or their indexing changed (realtime: `knowledge:status`). */
  knowledgeStatus: event('retrieval.knowledge_status', eventsV1.KnowledgeStatusChangedSchema),
  /** Core NATS, every retrieval copy: an admin saved the retrieval settings. */
  retrievalSettingsChanged: event('retrieval.settings_changed', eventsV1.TableChangedSchema),
  /** Core NATS, every auth copy: an admin changed a runtime setting (docs/runtime-settings.md). */
  instanceSettingsChanged: event('auth.instance_settings_changed', eventsV1.TableChangedSchema),
} as const;

/** A payload that is not the subject's message (wrong types, not JSON, an unsupported `v`). */
export class EventShapeError extends Error {
  override readonly name = 'EventShapeError';
}

// alwaysEmitImplicit: `done: false`, `seq`, `pinned: false` are in the JSON (consumers read them);
// fields with presence (`optional`) that are unset stay out. Proto names (snake_case) are also every
// field's json_name, checked in event-subjects.spec.ts.
const WRITE = { useProtoFieldName: true, alwaysEmitImplicit: true } as const;
const READ = { ignoreUnknownFields: true } as const;

/** The JSON form of an event: a message of the subject's schema (or its fields) checked and written. */
export function encodeEvent<Desc extends DescMessage>(
  spec: EventSpec<Desc>,
  message: MessageInitShape<Desc>,
): JsonValue {
  const typeName = (message as { $typeName?: unknown }).$typeName;
  if (typeName !== undefined && typeName !== spec.schema.typeName) {
    throw new EventShapeError(`${spec.subject} carries ${spec.schema.typeName}, not ${String(typeName)}`);
  }
  const full = isMessage(message, spec.schema) ? message : create(spec.schema, message);
  try {
    return toJson(spec.schema, full as MessageShape<Desc>, WRITE);
  } catch (error) {
    throw new EventShapeError(`${spec.subject}: ${(error as Error).message}`);
  }
}

/**
 * A received payload as the subject's message. Unknown fields are ignored (a newer producer may have
 * added some); wrong types or an unsupported `v` throw EventShapeError.
 */
export function decodeEvent<Desc extends DescMessage>(
  spec: { readonly schema: Desc },
  json: unknown,
): MessageShape<Desc> {
  let message: MessageShape<Desc>;
  try {
    message = fromJson(spec.schema, json as JsonValue, READ);
  } catch (error) {
    throw new EventShapeError((error as Error).message);
  }
  const version = (message as { v?: unknown }).v;
  if (spec.schema.fields.some((f) => f.name === 'v') && version !== EVENT_VERSION) {
    throw new EventShapeError(`schema version ${String(version)} is not ${EVENT_VERSION}`);
  }
  return message;
}
