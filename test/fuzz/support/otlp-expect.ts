import {
  K8sEvent,
  LogRecord,
  MetricPoint,
  ObjectSnapshot,
  Span,
  batchSize,
  nanosToMs,
  type AttrValue,
  type SignalBatch,
} from '@sleuth/core';
import type { IngestResult, OtlpSignal } from '@sleuth/pipeline';
import { ensure } from './fuzz';
import { OTLP_NAMES, type KeyValueJson } from './otlp-requests';

/** What a decoder must hand the store: records its schemas accept, never more than the body had bytes. */
export function expectStorable(result: IngestResult, bodyBytes: number): void {
  const b: SignalBatch = result.batch;
  const records = batchSize(b) + result.rejected;
  ensure(records <= Math.max(1, bodyBytes), () => `${records} records from a body of ${bodyBytes} bytes`);
  ensure(result.rejectionReasons.length <= 10, () => `${result.rejectionReasons.length} rejection reasons`);
  for (const r of b.logs) LogRecord.parse(r);
  for (const m of b.metrics) MetricPoint.parse(m);
  for (const s of b.spans) Span.parse(s);
  for (const e of b.events) K8sEvent.parse(e);
  for (const o of b.objects) ObjectSnapshot.parse(o);
}

/** The AttrValue an OTLP/JSON AnyValue (as the valid generators write it) must decode to. */
export function expectedValue(v: Record<string, unknown>): AttrValue {
  if ('stringValue' in v) return v['stringValue'] as string;
  if ('boolValue' in v) return v['boolValue'] as boolean;
  if ('intValue' in v) {
    const n = Number(v['intValue']);
    return Number.isSafeInteger(n) ? n : (v['intValue'] as string);
  }
  if ('doubleValue' in v) {
    const d = Number(v['doubleValue']);
    return Number.isFinite(d) ? d : String(d);
  }
  if ('bytesValue' in v) return v['bytesValue'] as string;
  if ('arrayValue' in v) {
    const values = (v['arrayValue'] as { values: Record<string, unknown>[] }).values;
    return values.map(expectedValue);
  }
  if ('kvlistValue' in v) return expectedAttributes((v['kvlistValue'] as { values: KeyValueJson[] }).values);
  return null;
}

/** The attribute map a KeyValue list must decode to: the last value of a repeated key. */
export function expectedAttributes(kvs: KeyValueJson[] | undefined): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const kv of kvs ?? []) {
    Object.defineProperty(out, kv.key, {
      value: expectedValue(kv.value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Epoch ms of a nanosecond string as core reads it; absent and zero are `undefined`. */
export function expectedMs(nanos: unknown): number | undefined {
  if (nanos === undefined || nanos === '0') return undefined;
  return nanosToMs(nanos as string);
}

type Json = Record<string, unknown>;

/** The items (log records, metrics, spans) of a valid request as sent, in order. */
export function sentItems(s: OtlpSignal, request: Json): Json[] {
  const [top, scopes, list] = OTLP_NAMES[s];
  return ((request[top] ?? []) as Json[]).flatMap((r) =>
    ((r[scopes] ?? []) as Json[]).flatMap((sc) => (sc[list] ?? []) as Json[]),
  );
}

/**
 * What a decoder must read an item sent by the valid generators as: the whole LogIn or SpanIn, and
 * a metric's name and unit (its points are checked by comparing the two decoders).
 */
export function expectedItem(s: OtlpSignal, x: Json): Json {
  const attributes = expectedAttributes(x['attributes'] as KeyValueJson[] | undefined);
  if (s === 'logs') {
    return {
      timeMs: expectedMs(x['timeUnixNano']),
      observedMs: expectedMs(x['observedTimeUnixNano']),
      severityNumber: x['severityNumber'] ?? 0,
      severityText: x['severityText'] ?? '',
      body: x['body'] === undefined ? undefined : expectedValue(x['body'] as Json),
      attributes,
      traceId: x['traceId'] ?? '',
      spanId: x['spanId'] ?? '',
      eventName: x['eventName'] ?? '',
    };
  }
  if (s === 'traces') {
    const status = (x['status'] ?? {}) as Json;
    const events = (x['events'] ?? []) as Json[];
    return {
      traceId: x['traceId'],
      spanId: x['spanId'],
      parentSpanId: x['parentSpanId'] ?? '',
      name: x['name'] ?? '',
      kind: x['kind'] ?? 0,
      startMs: expectedMs(x['startTimeUnixNano']),
      endMs: expectedMs(x['endTimeUnixNano']),
      attributes,
      events: events.map((e) => ({
        name: e['name'] ?? '',
        timeMs: expectedMs(e['timeUnixNano']),
        attributes: expectedAttributes(e['attributes'] as KeyValueJson[] | undefined),
      })),
      statusCode: status['code'] ?? 0,
      statusMessage: status['message'] ?? '',
    };
  }
  return { name: x['name'] ?? '', unit: x['unit'] ?? '' };
}

/** What the attribute limits allow, as AttributeLimits in services/pipeline/src/otlp/attribute-limits.ts. */
export interface Limits {
  maxAttributes: number;
  maxValueBytes: number;
  maxDepth: number;
  maxEvents: number;
}

/**
 * Checks one attribute value at nesting `level` against the limits; returns how many elements its
 * arrays and maps hold, over all levels. A string may be base64 of `maxValueBytes` bytes, or an
 * integer or a double as text.
 */
function valueWithin(v: AttrValue, level: number, limits: Limits, where: string): number {
  // Integers past 2^53 and non-finite doubles are kept as their text, whatever the limit.
  if (typeof v === 'string' && !/^(-?\d+|NaN|-?Infinity)$/.test(v)) {
    const max = Math.max(limits.maxValueBytes, Math.ceil(limits.maxValueBytes / 3) * 4);
    ensure(Buffer.byteLength(v) <= max, () => `${where}: a string of ${Buffer.byteLength(v)} bytes`);
    return 0;
  }
  if (v === null || typeof v !== 'object') return 0;
  const elements = Array.isArray(v) ? v : Object.values(v);
  ensure(elements.length === 0 || level < limits.maxDepth, () => `${where}: elements at level ${level + 1}`);
  let n = elements.length;
  for (const e of elements) n += valueWithin(e, level + 1, limits, where);
  return n;
}

/** Checks an attribute collection against the limits. */
export function attributesWithin(attrs: Record<string, AttrValue>, limits: Limits, where: string): void {
  const keys = Object.keys(attrs);
  ensure(keys.length <= limits.maxAttributes, () => `${where}: ${keys.length} attributes`);
  for (const k of keys) {
    const elements = valueWithin(attrs[k] ?? null, 1, limits, `${where}.${k}`);
    ensure(elements <= limits.maxAttributes, () => `${where}.${k}: ${elements} elements`);
  }
}
