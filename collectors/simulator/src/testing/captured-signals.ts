import { nanosToMs } from '@sleuth/core';
import type { OtlpAnyValue, OtlpKeyValue } from '../otlp/types';
import type { CapturedRequest } from '../transport/memory-transport';

/** A JSON value decoded from an OTLP AnyValue. */
export type Decoded = string | number | boolean | null | Decoded[] | { [key: string]: Decoded };

/** Decodes an OTLP AnyValue into a plain value (intValue becomes a number). */
export function decodeAnyValue(v: OtlpAnyValue): Decoded {
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('arrayValue' in v) return v.arrayValue.values.map(decodeAnyValue);
  if ('kvlistValue' in v) return decodeAttributes(v.kvlistValue.values);
  return null;
}

/** Decodes a KeyValue list into a record. */
export function decodeAttributes(kvs: OtlpKeyValue[]): { [key: string]: Decoded } {
  const out: { [key: string]: Decoded } = {};
  for (const kv of kvs) out[kv.key] = decodeAnyValue(kv.value);
  return out;
}

/** A log record with its resource, decoded. */
export interface FlatLog {
  resource: { [key: string]: Decoded };
  scope: string;
  attributes: { [key: string]: Decoded };
  body: Decoded;
  severityText: string;
  severityNumber: number;
  timeMs: number;
  traceId?: string;
}

/** A metric data point with its resource, decoded. Histograms carry count, sum and buckets. */
export interface FlatPoint {
  resource: { [key: string]: Decoded };
  name: string;
  type: 'gauge' | 'sum' | 'histogram';
  attributes: { [key: string]: Decoded };
  timeMs: number;
  startMs?: number;
  value: number;
  sum?: number;
  buckets?: number[];
}

/** A span with its resource, decoded. */
export interface FlatSpan {
  resource: { [key: string]: Decoded };
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  statusCode: number;
  statusMessage?: string;
  attributes: { [key: string]: Decoded };
  exceptions: { [key: string]: Decoded }[];
  startMs: number;
  endMs: number;
}

/** All log records in the captured requests, in order. */
export function flatLogs(requests: readonly CapturedRequest[]): FlatLog[] {
  const out: FlatLog[] = [];
  for (const { request } of requests) {
    if (!('resourceLogs' in request)) continue;
    for (const rl of request.resourceLogs) {
      const resource = decodeAttributes(rl.resource.attributes);
      for (const sl of rl.scopeLogs) {
        for (const r of sl.logRecords) {
          out.push({
            resource,
            scope: sl.scope.name,
            attributes: decodeAttributes(r.attributes),
            body: decodeAnyValue(r.body),
            severityText: r.severityText ?? '',
            severityNumber: r.severityNumber ?? 0,
            timeMs: nanosToMs(r.timeUnixNano),
            ...(r.traceId ? { traceId: r.traceId } : {}),
          });
        }
      }
    }
  }
  return out;
}

/** All metric data points in the captured requests, in order. */
export function flatPoints(requests: readonly CapturedRequest[]): FlatPoint[] {
  const out: FlatPoint[] = [];
  for (const { request } of requests) {
    if (!('resourceMetrics' in request)) continue;
    for (const rm of request.resourceMetrics) {
      const resource = decodeAttributes(rm.resource.attributes);
      for (const sm of rm.scopeMetrics) {
        for (const m of sm.metrics) {
          if ('histogram' in m) {
            for (const p of m.histogram.dataPoints) {
              out.push({
                resource,
                name: m.name,
                type: 'histogram',
                attributes: decodeAttributes(p.attributes),
                timeMs: nanosToMs(p.timeUnixNano),
                startMs: nanosToMs(p.startTimeUnixNano),
                value: Number(p.count),
                sum: p.sum,
                buckets: p.bucketCounts.map(Number),
              });
            }
            continue;
          }
          const type = 'sum' in m ? 'sum' : 'gauge';
          const points = 'sum' in m ? m.sum.dataPoints : m.gauge.dataPoints;
          for (const p of points) {
            out.push({
              resource,
              name: m.name,
              type,
              attributes: decodeAttributes(p.attributes),
              timeMs: nanosToMs(p.timeUnixNano),
              ...(p.startTimeUnixNano ? { startMs: nanosToMs(p.startTimeUnixNano) } : {}),
              value: p.asDouble ?? Number(p.asInt ?? NaN),
            });
          }
        }
      }
    }
  }
  return out;
}

/** All spans in the captured requests, in order. */
export function flatSpans(requests: readonly CapturedRequest[]): FlatSpan[] {
  const out: FlatSpan[] = [];
  for (const { request } of requests) {
    if (!('resourceSpans' in request)) continue;
    for (const rs of request.resourceSpans) {
      const resource = decodeAttributes(rs.resource.attributes);
      for (const ss of rs.scopeSpans) {
        for (const s of ss.spans) {
          out.push({
            resource,
            name: s.name,
            kind: s.kind,
            traceId: s.traceId,
            spanId: s.spanId,
            ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
            statusCode: s.status.code,
            ...(s.status.message ? { statusMessage: s.status.message } : {}),
            attributes: decodeAttributes(s.attributes),
            exceptions: s.events
              .filter((e) => e.name === 'exception')
              .map((e) => decodeAttributes(e.attributes)),
            startMs: nanosToMs(s.startTimeUnixNano),
            endMs: nanosToMs(s.endTimeUnixNano),
          });
        }
      }
    }
  }
  return out;
}

/** A Kubernetes watch record (k8sobjectsreceiver style), decoded. */
export interface WatchRecord {
  cluster: string;
  plural: string;
  type: string;
  object: { [key: string]: Decoded };
  timeMs: number;
}

/** Kubernetes watch records among the logs. */
export function watchRecords(logs: readonly FlatLog[]): WatchRecord[] {
  const out: WatchRecord[] = [];
  for (const l of logs) {
    if (l.attributes['event.domain'] !== 'k8s') continue;
    const object = at(l.body, 'object');
    if (object === undefined || object === null || typeof object !== 'object' || Array.isArray(object))
      continue;
    out.push({
      cluster: text(l.resource['k8s.cluster.name']),
      plural: text(l.attributes['event.name']),
      type: text(at(l.body, 'type')),
      object,
      timeMs: l.timeMs,
    });
  }
  return out;
}

/** The value at a path of keys and indexes in a decoded value, if there is one. */
export function at(value: Decoded | undefined, ...path: (string | number)[]): Decoded | undefined {
  let cur: Decoded | undefined = value;
  for (const key of path) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur)
      ? typeof key === 'number'
        ? cur[key]
        : undefined
      : typeof key === 'string'
        ? cur[key]
        : undefined;
  }
  return cur;
}

/** Kubernetes events (k8seventsreceiver style) among the logs. */
export function eventRecords(logs: readonly FlatLog[]): FlatLog[] {
  return logs.filter((l) => typeof l.attributes['k8s.event.reason'] === 'string');
}

/** Container log lines (filelog style) among the logs. */
export function containerLogs(logs: readonly FlatLog[]): FlatLog[] {
  return logs.filter((l) => typeof l.attributes['log.iostream'] === 'string');
}

/** Watch records of the pods of one workload in one cluster. */
export function podRecords(watch: readonly WatchRecord[], cluster: string, workload: string): WatchRecord[] {
  return watch.filter(
    (w) =>
      w.cluster === cluster &&
      w.plural === 'pods' &&
      text(at(w.object, 'metadata', 'name')).startsWith(`${workload}-`),
  );
}

/** The app container's status in a pod object. */
export function containerStatus(pod: WatchRecord): Decoded | undefined {
  return at(pod.object, 'status', 'containerStatuses', 0);
}

/** A decoded value as text: strings as themselves, anything else as JSON ('' when absent). */
export function text(v: unknown): string {
  if (typeof v === 'string') return v;
  return v === undefined ? '' : (JSON.stringify(v) ?? '');
}
