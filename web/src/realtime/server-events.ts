import { useCallback } from 'react';
import type {
  ChatCreatedJson,
  ChatDeletedJson,
  ChatTitleSetJson,
  ChatUpdatedJson,
} from '../gen/parley/events/v1/chat_events_pb';
import type {
  ChatCompletionJson,
  SessionRevokedJson,
  UsageJson,
  UserCountJson,
} from '../gen/parley/events/v1/realtime_events_pb';
import type { FileStatusChangedJson } from '../gen/parley/events/v1/file_events_pb';
import type { FileIndexStatusJson } from '../gen/parley/events/v1/realtime_events_pb';
import type { KnowledgeStatusChangedJson } from '../gen/parley/events/v1/retrieval_events_pb';
import type { TaskEventJson } from '../gen/parley/events/v1/task_events_pb';
import { useRealtimeEvent } from './realtime-context';

/**
 * The events the server emits and the JSON form of their messages, generated from
 * proto/parley/events/v1 (the source the services use; docs/realtime-events.md). Types only: the
 * protobuf runtime would add 26 kB gzipped to the first load for checks the realtime service already
 * made (it decodes and re-encodes every payload it emits), so the app checks only what it relies on.
 */
export interface ServerEvents {
  'chat:created': ChatCreatedJson;
  'chat:updated': ChatUpdatedJson;
  'chat:deleted': ChatDeletedJson;
  'chat:title': ChatTitleSetJson;
  'task:started': TaskEventJson;
  'task:stopped': TaskEventJson;
  'chat:completion': ChatCompletionJson;
  usage: UsageJson;
  'user-count': UserCountJson;
  'session:revoked': SessionRevokedJson;
  /** Extraction (no `stage`) or indexing (`stage: "index"`) of an upload moved on. */
  'file:status': FileStatusChangedJson | FileIndexStatusJson;
  'knowledge:status': KnowledgeStatusChangedJson;
}

export type ServerEventName = keyof ServerEvents;
export type ServerEvent<N extends ServerEventName> = ServerEvents[N];

/** The schema version this app reads; a payload of another version is ignored. */
const VERSION = 1;

/**
 * A payload as its event's JSON form, or null when it is not an object of the version this app reads.
 * Fields may still be missing or of another type: consumers check the ones they use (the generated
 * types mark every field optional, as protobuf JSON may leave defaults out).
 */
export function readServerEvent<N extends ServerEventName>(
  _name: N,
  payload: unknown,
): ServerEvent<N> | null {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return null;
  return (payload as { v?: unknown }).v === VERSION ? (payload as ServerEvent<N>) : null;
}

/** Subscribes to a server event for as long as the component is mounted; other versions never reach `listener`. */
export function useServerEvent<N extends ServerEventName>(
  name: N,
  listener: (event: ServerEvent<N>) => void,
): void {
  const onPayload = useCallback(
    (payload: unknown) => {
      const event = readServerEvent(name, payload);
      if (event) listener(event);
    },
    [name, listener],
  );
  useRealtimeEvent(name, onPayload);
}
