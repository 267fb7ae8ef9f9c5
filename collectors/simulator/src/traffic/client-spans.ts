import type { CallSpec } from '../fleet/types';
import type { PodState, WorkloadState } from '../model/state';
import type { CallResult, RequestScope } from './call-engine';
import { concretePath, targetOf } from './routing';
import { emitSpan, exceptionFor } from './spans';

/** Exports the caller's client (or producer) span for one downstream call, per OTel semantic conventions. */
export function emitClientSpan(
  scope: RequestScope,
  caller: WorkloadState,
  pod: PodState,
  call: CallSpec,
  at: { target: WorkloadState; atMs: number; spanId: string; parentSpanId: string; result: CallResult },
): void {
  const { target, atMs, spanId, parentSpanId, result } = at;
  const dep = targetOf(target, call);
  const common = { 'server.address': dep.host, 'server.port': dep.port, 'network.peer.address': dep.ip };
  const base = {
    traceId: scope.traceId,
    spanId,
    parentSpanId,
    startMs: atMs,
    endMs: atMs + result.durationMs,
  };
  const error = result.failure
    ? {
        error: {
          message: exceptionFor(caller.spec.logFormat, result.failure).message,
          exception: exceptionFor(caller.spec.logFormat, result.failure),
        },
      }
    : {};
  if (call.kind === 'http') {
    const path = concretePath(call.route, scope.params);
    emitSpan(scope.rt, caller, pod, {
      ...base,
      name: call.method,
      kind: 'client',
      attributes: {
        'http.request.method': call.method,
        'url.full': `http://${dep.host}:${dep.port}${path}`,
        ...common,
        ...(result.status ? { 'http.response.status_code': result.status } : {}),
      },
      ...error,
    });
    return;
  }
  const db =
    call.kind === 'postgres'
      ? {
          'db.system': 'postgresql',
          'db.namespace': call.database,
          'db.operation.name': call.operation,
          'db.collection.name': call.table,
          'db.query.text': call.statement,
        }
      : {
          'db.system': 'redis',
          'db.operation.name': call.command,
          'db.query.text': `${call.command} ${call.key}`,
        };
  const messaging =
    call.kind === 'redis' && call.enqueue
      ? {
          'messaging.system': 'redis',
          'messaging.destination.name': call.enqueue,
          'messaging.operation.type': 'publish',
        }
      : {};
  emitSpan(scope.rt, caller, pod, {
    ...base,
    name:
      call.kind === 'postgres'
        ? `${call.operation} ${call.table}`
        : call.enqueue
          ? `publish ${call.enqueue}`
          : call.command,
    kind: call.kind === 'redis' && call.enqueue ? 'producer' : 'client',
    attributes: { ...db, ...messaging, ...common },
    ...error,
  });
}
