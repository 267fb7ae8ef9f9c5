/**
 * The OTLP/JSON wire shapes the simulator produces (opentelemetry-proto's JSON mapping):
 * lowerCamelCase field names, trace and span ids as hex, 64-bit integers (times in ns, counts)
 * as decimal strings, enums as integers.
 */

/** One of the AnyValue variants; `{}` is an empty (null) value. */
export type OtlpAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: OtlpAnyValue[] } }
  | { kvlistValue: { values: OtlpKeyValue[] } }
  | Record<string, never>;

/** An attribute: key and AnyValue. */
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

/** The entity that produced the telemetry. */
export interface OtlpResource {
  attributes: OtlpKeyValue[];
}

/** The instrumentation scope (library or receiver). */
export interface OtlpScope {
  name: string;
  version?: string;
}

/** A LogRecord; Kubernetes object records carry no severity. */
export interface OtlpLogRecord {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber?: number;
  severityText?: string;
  body: OtlpAnyValue;
  attributes: OtlpKeyValue[];
  traceId?: string;
  spanId?: string;
  flags?: number;
}

/** The body of `POST /v1/logs`. */
export interface ExportLogsServiceRequest {
  resourceLogs: { resource: OtlpResource; scopeLogs: { scope: OtlpScope; logRecords: OtlpLogRecord[] }[] }[];
}

/** A gauge or sum data point. */
export interface OtlpNumberDataPoint {
  attributes: OtlpKeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano: string;
  asDouble?: number;
  asInt?: string;
}

/** An explicit-bucket histogram data point (cumulative). */
export interface OtlpHistogramDataPoint {
  attributes: OtlpKeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  count: string;
  sum: number;
  bucketCounts: string[];
  explicitBounds: number[];
}

/** AGGREGATION_TEMPORALITY_CUMULATIVE */
export const CUMULATIVE = 2;

/** A Metric: gauge, monotonic cumulative sum or histogram. */
export type OtlpMetric = { name: string; unit: string; description: string } & (
  | { gauge: { dataPoints: OtlpNumberDataPoint[] } }
  | { sum: { dataPoints: OtlpNumberDataPoint[]; aggregationTemporality: number; isMonotonic: boolean } }
  | { histogram: { dataPoints: OtlpHistogramDataPoint[]; aggregationTemporality: number } }
);

/** The body of `POST /v1/metrics`. */
export interface ExportMetricsServiceRequest {
  resourceMetrics: { resource: OtlpResource; scopeMetrics: { scope: OtlpScope; metrics: OtlpMetric[] }[] }[];
}

/** Span.SpanKind */
export const SPAN_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;
/** Status.StatusCode */
export const STATUS_CODE = { unset: 0, ok: 1, error: 2 } as const;

/** A span event, e.g. `exception`. */
export interface OtlpSpanEvent {
  timeUnixNano: string;
  name: string;
  attributes: OtlpKeyValue[];
}

/** A Span. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  events: OtlpSpanEvent[];
  status: { code: number; message?: string };
  flags?: number;
}

/** The body of `POST /v1/traces`. */
export interface ExportTraceServiceRequest {
  resourceSpans: { resource: OtlpResource; scopeSpans: { scope: OtlpScope; spans: OtlpSpan[] }[] }[];
}

/** The three OTLP signals, named as in their HTTP paths (`/v1/logs` ...). */
export type OtlpSignal = 'logs' | 'metrics' | 'traces';
