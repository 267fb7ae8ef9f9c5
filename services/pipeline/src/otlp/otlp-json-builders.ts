import { msToNanos, type AttrValue } from '@sleuth/core';
import type { JsonObject } from './json-values';

/**
 * Builders for small OTLP/JSON export requests (hex ids, lowerCamelCase, int64 as strings), so tests
 * and fixtures read as data rather than as nested AnyValue boilerplate.
 */
export function anyValue(v: AttrValue): JsonObject {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (v === null) return {};
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  return { kvlistValue: { values: keyValues(v) } };
}

/** An attribute map as an OTLP KeyValue list. */
export function keyValues(attrs: { [key: string]: AttrValue }): JsonObject[] {
  return Object.entries(attrs).map(([key, value]) => ({ key, value: anyValue(value) }));
}

/** Epoch ms as OTLP's nanosecond string. */
export const nanos = (ms: number): string => msToNanos(ms);

/** An ExportLogsServiceRequest with one scope per resource. */
export function logsRequest(
  resources: { resource: { [key: string]: AttrValue }; records: unknown[] }[],
): JsonObject {
  return {
    resourceLogs: resources.map((r) => ({
      resource: { attributes: keyValues(r.resource) },
      scopeLogs: [{ scope: { name: 'test' }, logRecords: r.records }],
    })),
  };
}

/** An ExportMetricsServiceRequest with one resource and scope. */
export function metricsRequest(resource: { [key: string]: AttrValue }, metrics: unknown[]): JsonObject {
  return {
    resourceMetrics: [
      { resource: { attributes: keyValues(resource) }, scopeMetrics: [{ scope: { name: 'test' }, metrics }] },
    ],
  };
}

/** An ExportTraceServiceRequest with one resource and scope. */
export function tracesRequest(resource: { [key: string]: AttrValue }, spans: unknown[]): JsonObject {
  return {
    resourceSpans: [
      { resource: { attributes: keyValues(resource) }, scopeSpans: [{ scope: { name: 'test' }, spans }] },
    ],
  };
}

/** A request as the bytes ingestOtlp takes for the 'json' encoding. */
export const jsonBytes = (request: unknown): Uint8Array => Buffer.from(JSON.stringify(request));

/**
 * One length-delimited protobuf field (wire type 2): for tests that write bytes the OTLP schema
 * cannot encode (fields it leaves out, malformed or oversized requests).
 */
export function pbField(num: number, value: Uint8Array): Buffer {
  const length: number[] = [];
  for (let n = value.length; ; n = Math.floor(n / 128)) {
    length.push(n < 128 ? n : (n % 128) | 0x80);
    if (n < 128) break;
  }
  return Buffer.concat([Buffer.from([(num << 3) | 2, ...length]), value]);
}
