import { toJson, type DescMessage, type DescService } from '@bufbuild/protobuf';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { DomainError, grpcStatusOf } from '@parley/errors';
import type { CallContext } from '@parley/grpc';
import { currentRequestId } from '@parley/logging';
import type { AuditLog } from '../audit/audit-log';
import { bodyForLog } from '../audit/audit-record';

type UnaryHandler = (request: never, call: CallContext) => Promise<unknown>;
/** The resource ids of a request, as REST's path parameters (`{ id }`). */
type ParamsOf = (request: never) => Record<string, string>;

/** `ipv4:127.0.0.1:5000`, `[::1]:5000` or `10.0.0.1:5000` as the address alone. */
export function peerAddress(peer: string | undefined): string | undefined {
  if (!peer) return undefined;
  const bare = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(bare);
  if (bracketed) return bracketed[1];
  return /^[^:]+:\d+$/.test(bare) ? bare.slice(0, bare.lastIndexOf(':')) : bare;
}

function statusName(error: unknown): string {
  const code = error instanceof DomainError ? grpcStatusOf(error.kind) : GrpcStatus.INTERNAL;
  return GrpcStatus[code] ?? String(code);
}

/**
 * The state-changing methods of a public API service write the audit line REST writes for the same
 * action (`"audit": true`, who, route, resource, address, outcome, request id; the request body from the
 * REQUEST level on, redacted), with the gRPC method's path as route and path and its status name
 * (`OK`, `FAILED_PRECONDITION`) as status. Only calls that reached a handler: a credential the API
 * refuses is in the call log, as for every method.
 */
export function withAuditLines<H extends object>(
  service: DescService,
  handlers: H,
  audit: AuditLog,
  audited: Partial<Record<keyof H & string, ParamsOf>>,
): H {
  if (!audit.enabled) return handlers;
  const wrapped: Record<string, unknown> = { ...(handlers as Record<string, unknown>) };
  for (const [name, paramsOf] of Object.entries(audited) as Array<[string, ParamsOf]>) {
    const method = service.methods.find((m) => m.localName === name);
    const handler = (handlers as Record<string, UnaryHandler>)[name];
    if (!method || !handler || method.methodKind !== 'unary')
      throw new Error(`${service.typeName}: no unary method ${name} to audit`);
    const route = `/${service.typeName}/${method.name}`;
    wrapped[name] = async (request: never, call: CallContext) => {
      const started = Date.now();
      let status = 'OK';
      try {
        return await handler(request, call);
      } catch (error) {
        status = statusName(error);
        throw error;
      } finally {
        try {
          audit.write(line(audit, route, method.input, request, call, { started, status, paramsOf }));
        } catch {
          // an audit line that cannot be built never fails the call it describes
        }
      }
    };
  }
  return wrapped as H;
}

function line(
  audit: AuditLog,
  route: string,
  input: DescMessage,
  request: never,
  call: CallContext,
  { started, status, paramsOf }: { started: number; status: string; paramsOf: ParamsOf },
): Record<string, unknown> {
  const caller = call.caller;
  const userAgent = call.metadata.get('user-agent')[0];
  return {
    audit: true,
    audit_level: audit.level,
    timestamp: new Date(started).toISOString(),
    event: 'request',
    method: 'GRPC',
    route,
    path: route,
    params: paramsOf(request),
    user: caller.kind === 'user' ? { id: caller.userId, role: caller.role } : null,
    source_ip: peerAddress(call.peer),
    user_agent: typeof userAgent === 'string' ? userAgent : undefined,
    status,
    outcome: status === 'OK' ? 'success' : 'failure',
    request_id: currentRequestId(),
    duration_ms: Date.now() - started,
    ...(audit.withBodies
      ? { request_body: bodyForLog(toJson(input, request as never), audit.maxBodySize) }
      : {}),
  };
}
