import type { Attributes } from '@sleuth/core';
import { CUMULATIVE } from './otlp-model';
import type {
  ExponentialHistogramPointIn,
  HistogramPointIn,
  LogIn,
  MetricDataIn,
  MetricIn,
  NumberPointIn,
  RequestIn,
  SpanEventIn,
  SpanIn,
} from './otlp-model';
import {
  bytesToHex,
  longNanosToMs,
  longToNumber,
  pbAnyValue,
  pbAttributes,
  type LongBits,
  type PbKeyValue,
} from './proto-values';

/*
 * The shapes protobufjs produces when decoding with the schema in otlp-proto.ts (lowerCamelCase
 * names; unset fields read as the type's default from the prototype; fixed64/int64 as Long).
 */
interface PbResource {
  attributes: PbKeyValue[];
}
interface PbResourceOf<S> {
  resource: PbResource | null;
  scopes: S[];
}
interface PbLogRecord {
  timeUnixNano: LongBits;
  observedTimeUnixNano: LongBits;
  severityNumber: number;
  severityText: string;
  body: PbKeyValue['value'];
  attributes: PbKeyValue[];
  traceId: Uint8Array;
  spanId: Uint8Array;
  eventName: string;
}
interface PbPointBase {
  attributes: PbKeyValue[];
  timeUnixNano: LongBits;
}
interface PbNumberPoint extends PbPointBase {
  asDouble: number;
  asInt: LongBits;
}
interface PbHistogramPoint extends PbPointBase {
  count: LongBits;
  sum: number;
  bucketCounts: LongBits[];
  explicitBounds: number[];
}
interface PbExponentialPoint extends PbPointBase {
  count: LongBits;
  sum: number;
}
interface PbSummaryPoint extends PbPointBase {
  count: LongBits;
  sum: number;
  quantileValues: { quantile: number; value: number }[];
}
interface PbMetric {
  name: string;
  unit: string;
  gauge: { dataPoints: PbNumberPoint[] } | null;
  sum: { dataPoints: PbNumberPoint[]; aggregationTemporality: number; isMonotonic: boolean } | null;
  histogram: { dataPoints: PbHistogramPoint[]; aggregationTemporality: number } | null;
  exponentialHistogram: { dataPoints: PbExponentialPoint[]; aggregationTemporality: number } | null;
  summary: { dataPoints: PbSummaryPoint[] } | null;
}
interface PbSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId: Uint8Array;
  name: string;
  kind: number;
  startTimeUnixNano: LongBits;
  endTimeUnixNano: LongBits;
  attributes: PbKeyValue[];
  events: { timeUnixNano: LongBits; name: string; attributes: PbKeyValue[] }[];
  status: { message: string; code: number } | null;
}

/** ExportLogsServiceRequest as decoded. */
export interface PbLogsRequest {
  resourceLogs: { resource: PbResource | null; scopeLogs: { logRecords: PbLogRecord[] }[] }[];
}
/** ExportMetricsServiceRequest as decoded. */
export interface PbMetricsRequest {
  resourceMetrics: { resource: PbResource | null; scopeMetrics: { metrics: PbMetric[] }[] }[];
}
/** ExportTraceServiceRequest as decoded. */
export interface PbTraceRequest {
  resourceSpans: { resource: PbResource | null; scopeSpans: { spans: PbSpan[] }[] }[];
}

const hasOwn = Object.hasOwn;

function readResources<S, T>(resources: PbResourceOf<S>[], items: (scope: S) => T[]): RequestIn<T> {
  const out: RequestIn<T> = [];
  for (const r of resources) {
    const attributes: Attributes = r.resource === null ? {} : pbAttributes(r.resource.attributes);
    out.push({ attributes, scopes: r.scopes.map(items) });
  }
  return out;
}

function readLog(r: PbLogRecord): LogIn {
  return {
    timeMs: longNanosToMs(r.timeUnixNano),
    observedMs: longNanosToMs(r.observedTimeUnixNano),
    severityNumber: r.severityNumber,
    severityText: r.severityText,
    body: r.body === null ? undefined : pbAnyValue(r.body),
    attributes: pbAttributes(r.attributes),
    traceId: bytesToHex(r.traceId),
    spanId: bytesToHex(r.spanId),
    eventName: r.eventName,
  };
}

/** Converts a decoded ExportLogsServiceRequest into the shared model. */
export function readPbLogs(req: PbLogsRequest): RequestIn<LogIn> {
  return readResources(
    req.resourceLogs.map((r) => ({ resource: r.resource, scopes: r.scopeLogs })),
    (s) => s.logRecords.map(readLog),
  );
}

function numberPoint(p: PbNumberPoint): NumberPointIn {
  let value: number | undefined;
  if (hasOwn(p, 'asDouble')) value = p.asDouble;
  else if (hasOwn(p, 'asInt')) value = longToNumber(p.asInt);
  return { attributes: pbAttributes(p.attributes), timeMs: longNanosToMs(p.timeUnixNano), value };
}

function exponentialPoint(p: PbExponentialPoint): ExponentialHistogramPointIn {
  return {
    attributes: pbAttributes(p.attributes),
    timeMs: longNanosToMs(p.timeUnixNano),
    count: longToNumber(p.count),
    sum: hasOwn(p, 'sum') ? p.sum : undefined,
  };
}

function histogramPoint(p: PbHistogramPoint): HistogramPointIn {
  return {
    ...exponentialPoint(p),
    bucketCounts: p.bucketCounts.map(longToNumber),
    explicitBounds: p.explicitBounds,
  };
}

function metricData(m: PbMetric): MetricDataIn | undefined {
  if (m.gauge !== null) return { type: 'gauge', points: m.gauge.dataPoints.map(numberPoint) };
  if (m.sum !== null) {
    return {
      type: 'sum',
      monotonic: m.sum.isMonotonic,
      cumulative: m.sum.aggregationTemporality === CUMULATIVE,
      points: m.sum.dataPoints.map(numberPoint),
    };
  }
  if (m.histogram !== null) {
    const h = m.histogram;
    const cumulative = h.aggregationTemporality === CUMULATIVE;
    return { type: 'histogram', cumulative, points: h.dataPoints.map(histogramPoint) };
  }
  if (m.exponentialHistogram !== null) {
    const h = m.exponentialHistogram;
    const cumulative = h.aggregationTemporality === CUMULATIVE;
    return { type: 'exponentialHistogram', cumulative, points: h.dataPoints.map(exponentialPoint) };
  }
  if (m.summary !== null) {
    const points = m.summary.dataPoints.map((p) => ({
      attributes: pbAttributes(p.attributes),
      timeMs: longNanosToMs(p.timeUnixNano),
      count: longToNumber(p.count),
      sum: p.sum,
      quantiles: p.quantileValues.map((q) => ({ quantile: q.quantile, value: q.value })),
    }));
    return { type: 'summary', points };
  }
  return undefined;
}

/** Converts a decoded ExportMetricsServiceRequest into the shared model. */
export function readPbMetrics(req: PbMetricsRequest): RequestIn<MetricIn> {
  return readResources(
    req.resourceMetrics.map((r) => ({ resource: r.resource, scopes: r.scopeMetrics })),
    (s) => s.metrics.map((m) => ({ name: m.name, unit: m.unit, data: metricData(m) })),
  );
}

function readSpan(s: PbSpan): SpanIn {
  const events: SpanEventIn[] = s.events.map((e) => ({
    name: e.name,
    timeMs: longNanosToMs(e.timeUnixNano),
    attributes: pbAttributes(e.attributes),
  }));
  return {
    traceId: bytesToHex(s.traceId),
    spanId: bytesToHex(s.spanId),
    parentSpanId: bytesToHex(s.parentSpanId),
    name: s.name,
    kind: s.kind,
    startMs: longNanosToMs(s.startTimeUnixNano),
    endMs: longNanosToMs(s.endTimeUnixNano),
    attributes: pbAttributes(s.attributes),
    events,
    statusCode: s.status === null ? 0 : s.status.code,
    statusMessage: s.status === null ? '' : s.status.message,
  };
}

/** Converts a decoded ExportTraceServiceRequest into the shared model. */
export function readPbTraces(req: PbTraceRequest): RequestIn<SpanIn> {
  return readResources(
    req.resourceSpans.map((r) => ({ resource: r.resource, scopes: r.scopeSpans })),
    (s) => s.spans.map(readSpan),
  );
}
