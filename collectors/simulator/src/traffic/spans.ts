import { msToNanos } from '@sleuth/core';
import type { LogFormat } from '../fleet/types';
import type { DependencyFailure } from '../logs/dialect';
import { keyValues, type AttrInput } from '../otlp/attributes';
import { SPAN_KIND, STATUS_CODE } from '../otlp/types';
import { podResource } from '../model/resources';
import type { ClusterRuntime } from '../model/runtime';
import type { PodState, WorkloadState } from '../model/state';

/** The instrumentation scope and SDK language of each kind of process. */
const SDK: Record<LogFormat, { scope: string; language: string }> = {
  nginx: { scope: 'ngx_otel_module', language: 'cpp' },
  node: { scope: '@opentelemetry/instrumentation-http', language: 'nodejs' },
  java: { scope: 'io.opentelemetry.spring-webmvc-6.0', language: 'java' },
  go: { scope: 'go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp', language: 'go' },
  python: { scope: 'opentelemetry.instrumentation.redis', language: 'python' },
  postgres: { scope: 'postgres', language: 'cpp' },
  redis: { scope: 'redis', language: 'cpp' },
  coredns: { scope: 'coredns', language: 'go' },
};

/** A span to export. Times are epoch ms with sub-millisecond fractions. */
export interface SpanInput {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: keyof typeof SPAN_KIND;
  startMs: number;
  endMs: number;
  attributes: Record<string, AttrInput>;
  error?: { message: string; exception?: { type: string; message: string; stacktrace?: string } };
}

/** Exports a span from the pod's app (resource per OTel k8s semantic conventions). */
export function emitSpan(rt: ClusterRuntime, w: WorkloadState, pod: PodState, span: SpanInput): void {
  const sdk = SDK[w.spec.logFormat];
  const resource = {
    ...podResource(rt.name, w, pod),
    'telemetry.sdk.name': 'opentelemetry',
    'telemetry.sdk.language': sdk.language,
  };
  const events = span.error?.exception
    ? [
        {
          timeUnixNano: msToNanos(span.endMs),
          name: 'exception',
          attributes: keyValues({
            'exception.type': span.error.exception.type,
            'exception.message': span.error.exception.message,
            'exception.stacktrace': span.error.exception.stacktrace,
          }),
        },
      ]
    : [];
  rt.outbox.spans.push({
    resource,
    scope: sdk.scope,
    span: {
      traceId: span.traceId,
      spanId: span.spanId,
      ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
      name: span.name,
      kind: SPAN_KIND[span.kind],
      startTimeUnixNano: msToNanos(span.startMs),
      endTimeUnixNano: msToNanos(span.endMs),
      attributes: keyValues(span.attributes),
      events,
      status: span.error
        ? { code: STATUS_CODE.error, message: span.error.message }
        : { code: STATUS_CODE.unset },
      flags: 1,
    },
  });
}

/** The exception a client library of `caller` raises for a failed dependency. */
/** What each runtime's client throws when a connection attempt times out. */
function connectTimeout(
  caller: LogFormat,
  target: DependencyFailure['target'],
): { type: string; message: string } {
  const addr = `${target.ip}:${target.port}`;
  switch (caller) {
    case 'java':
      return { type: 'java.net.SocketTimeoutException', message: 'Connect timed out' };
    case 'go':
      return { type: '*net.OpError', message: `dial tcp ${addr}: i/o timeout` };
    case 'python':
      return target.kind === 'postgres'
        ? {
            type: 'psycopg2.OperationalError',
            message: `connection to server at "${target.host}" (${target.ip}), port ${target.port} failed: timeout expired`,
          }
        : { type: 'redis.exceptions.TimeoutError', message: 'Timeout connecting to server' };
    default:
      return { type: 'Error', message: `connect ETIMEDOUT ${addr}` };
  }
}

export function exceptionFor(
  caller: LogFormat,
  failure: DependencyFailure,
): { type: string; message: string } {
  const { target } = failure;
  const addr = `${target.ip}:${target.port}`;
  if (failure.kind === 'status')
    return { type: 'HTTPError', message: `${target.host}:${target.port} answered ${failure.status}` };
  if (failure.kind === 'timeout') return connectTimeout(caller, target);
  const reset = failure.kind === 'reset';
  switch (caller) {
    case 'java':
      return target.kind === 'postgres' && !reset
        ? {
            type: 'org.postgresql.util.PSQLException',
            message: `Connection to ${target.host}:${target.port} refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.`,
          }
        : {
            type: reset ? 'java.net.SocketException' : 'java.net.ConnectException',
            message: reset ? 'Connection reset' : `Connection refused: ${target.host}/${addr}`,
          };
    case 'go':
      return {
        type: '*net.OpError',
        message: reset
          ? `read tcp ${addr}: read: connection reset by peer`
          : `dial tcp ${addr}: connect: connection refused`,
      };
    case 'python':
      return target.kind === 'postgres'
        ? {
            type: 'psycopg2.OperationalError',
            message: `connection to server at "${target.host}" (${target.ip}), port ${target.port} failed: Connection refused`,
          }
        : {
            type: 'redis.exceptions.ConnectionError',
            message: `Error 111 connecting to ${target.host}:${target.port}. Connection refused.`,
          };
    default:
      return { type: 'Error', message: reset ? 'socket hang up' : `connect ECONNREFUSED ${addr}` };
  }
}
