import type { AttrValue, Attributes } from '@sleuth/core';

/**
 * The decoded form of an OTLP export request that both wire readers (protobuf and JSON) produce and
 * the normalising stages consume. It is deliberately lenient: it keeps whatever the sender wrote, in
 * the units Sleuth uses, so the stages can validate each record and reject it with a precise reason.
 *
 * - Times are epoch milliseconds, `undefined` when the field was absent or zero, `NaN` when it was
 *   present but not a valid unsigned nanosecond count.
 * - Ids are lowercase hex as sent (protobuf bytes are hex-encoded; JSON strings are kept), `''` when
 *   absent. Anything that is not hex of the right length is invalid; the stages check that.
 * - `null` in a list stands for an element that was not an object (or a list that was not an array),
 *   which only JSON can produce.
 */
export type WireTime = number | undefined;

/** One ResourceLogs / ResourceMetrics / ResourceSpans: the resource attributes and the scopes' items. */
export interface ResourceIn<T> {
  attributes: Attributes;
  /** One entry per scope (ScopeLogs, ScopeMetrics, ScopeSpans); `null` when the scope's list was not an array. */
  scopes: ((T | null)[] | null)[];
}

/** A decoded request: the resources in wire order (`null` for one that was not an object). */
export type RequestIn<T> = (ResourceIn<T> | null)[];

export interface LogIn {
  timeMs: WireTime;
  observedMs: WireTime;
  severityNumber: number;
  severityText: string;
  /** The body AnyValue; `undefined` when absent. */
  body: AttrValue | undefined;
  attributes: Attributes;
  traceId: string;
  spanId: string;
  eventName: string;
}

interface PointBase {
  attributes: Attributes;
  timeMs: WireTime;
}

export interface NumberPointIn extends PointBase {
  /** asDouble or asInt; `undefined` when the point carries neither. */
  value: number | undefined;
}

export interface HistogramPointIn extends PointBase {
  count: number;
  /** Absent when the histogram could not compute it (e.g. negative measurements). */
  sum: number | undefined;
  bucketCounts: number[];
  explicitBounds: number[];
}

export interface ExponentialHistogramPointIn extends PointBase {
  count: number;
  sum: number | undefined;
}

export interface SummaryPointIn extends PointBase {
  count: number;
  sum: number;
  quantiles: { quantile: number; value: number }[];
}

export type MetricDataIn =
  | { type: 'gauge'; points: (NumberPointIn | null)[] }
  | { type: 'sum'; monotonic: boolean; cumulative: boolean; points: (NumberPointIn | null)[] }
  | { type: 'histogram'; cumulative: boolean; points: (HistogramPointIn | null)[] }
  | { type: 'exponentialHistogram'; cumulative: boolean; points: (ExponentialHistogramPointIn | null)[] }
  | { type: 'summary'; points: (SummaryPointIn | null)[] };

export interface MetricIn {
  name: string;
  unit: string;
  /** `undefined` when the metric carries none of gauge, sum, histogram, exponentialHistogram, summary. */
  data: MetricDataIn | undefined;
}

export interface SpanEventIn {
  name: string;
  timeMs: WireTime;
  attributes: Attributes;
}

export interface SpanIn {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startMs: WireTime;
  endMs: WireTime;
  attributes: Attributes;
  events: SpanEventIn[];
  statusCode: number;
  statusMessage: string;
}

/** AggregationTemporality.CUMULATIVE in OTLP. */
export const CUMULATIVE = 2;

/**
 * Sets one attribute on a map built from untrusted keys. A key of `__proto__` becomes an ordinary own
 * property instead of replacing the map's prototype.
 */
export function setAttr<T>(map: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__')
    Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}

/** Attribute values must be JSON-safe: NaN and the infinities are kept as their names. */
export function finiteOrText(d: number): AttrValue {
  return Number.isFinite(d) ? d : String(d);
}
