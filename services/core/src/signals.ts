import { z } from 'zod';
import { ResourceRef, SignalSource } from './resource';

/** Epoch milliseconds (may carry a fraction for sub-millisecond precision). */
export const EpochMsSchema = z.number().finite().nonnegative();

/** A JSON-compatible attribute value, as OTLP AnyValue decodes to. */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export const AttrValue: z.ZodType<AttrValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(AttrValue),
    z.record(z.string(), AttrValue),
  ]),
);
export const Attributes = z.record(z.string(), AttrValue);
export type Attributes = z.infer<typeof Attributes>;

export const SEVERITIES = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

/** Orders severities so `minSeverity` filters can compare them. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** OTLP SeverityNumber (1..24) to Sleuth's six levels; 0 (unspecified) is info. */
export function severityFromNumber(n: number): Severity {
  if (n <= 0) return 'info';
  if (n <= 4) return 'trace';
  if (n <= 8) return 'debug';
  if (n <= 12) return 'info';
  if (n <= 16) return 'warn';
  if (n <= 20) return 'error';
  return 'fatal';
}

export const LogRecord = z.object({
  /** Assigned by the store; absent before the record is written. */
  id: z.string().optional(),
  timeMs: EpochMsSchema,
  observedTimeMs: EpochMsSchema.optional(),
  source: SignalSource,
  severity: Severity,
  body: z.string(),
  attributes: Attributes,
  traceId: z.string().max(32).optional(),
  spanId: z.string().max(16).optional(),
});
export type LogRecord = z.infer<typeof LogRecord>;

export const METRIC_TYPES = ['gauge', 'counter', 'histogram', 'summary'] as const;
export const MetricType = z.enum(METRIC_TYPES);
export type MetricType = z.infer<typeof MetricType>;

/**
 * One sample of one series. A series is identified by `name` plus `labels`; labels hold the
 * point's attributes and the source's normalised resource labels (cluster, namespace, pod ...).
 * Histograms arrive as Prometheus-style `_count`, `_sum` and `_bucket{le}` series.
 */
export const MetricPoint = z.object({
  name: z.string().min(1).max(255),
  labels: z.record(z.string(), z.string()),
  source: SignalSource,
  type: MetricType,
  unit: z.string().max(63).optional(),
  timeMs: EpochMsSchema,
  value: z.number(),
});
export type MetricPoint = z.infer<typeof MetricPoint>;

export const SpanStatus = z.enum(['unset', 'ok', 'error']);
export const SpanKind = z.enum(['internal', 'server', 'client', 'producer', 'consumer', 'unspecified']);

export const Span = z.object({
  traceId: z.string().length(32),
  spanId: z.string().length(16),
  parentSpanId: z.string().length(16).optional(),
  name: z.string().max(1024),
  kind: SpanKind,
  service: z.string().min(1),
  source: SignalSource,
  startMs: EpochMsSchema,
  endMs: EpochMsSchema,
  durationMs: z.number().nonnegative(),
  status: SpanStatus,
  statusMessage: z.string().optional(),
  attributes: Attributes,
});
export type Span = z.infer<typeof Span>;

/** A Kubernetes Event (events.k8s.io/v1 or core/v1) about an involved object. */
export const K8sEvent = z.object({
  id: z.string().optional(),
  uid: z.string().max(64).optional(),
  cluster: z.string().min(1),
  namespace: z.string().optional(),
  involved: ResourceRef,
  type: z.enum(['Normal', 'Warning']),
  reason: z.string().max(128),
  message: z.string(),
  count: z.number().int().positive(),
  firstMs: EpochMsSchema,
  lastMs: EpochMsSchema,
  reportingComponent: z.string().optional(),
});
export type K8sEvent = z.infer<typeof K8sEvent>;

/** A Kubernetes object's full state (metadata, spec, status) at a time. Secret values never appear. */
export const ObjectSnapshot = z.object({
  ref: ResourceRef,
  apiVersion: z.string(),
  resourceVersion: z.string().optional(),
  timeMs: EpochMsSchema,
  /** True for the tombstone written when the object was deleted. */
  deleted: z.boolean(),
  object: z.record(z.string(), z.unknown()),
});
export type ObjectSnapshot = z.infer<typeof ObjectSnapshot>;

/** What a pipeline batch carries to the store: any mix of signals. */
export interface SignalBatch {
  logs: LogRecord[];
  metrics: MetricPoint[];
  spans: Span[];
  events: K8sEvent[];
  objects: ObjectSnapshot[];
}

export function emptyBatch(): SignalBatch {
  return { logs: [], metrics: [], spans: [], events: [], objects: [] };
}

export function batchSize(b: SignalBatch): number {
  return b.logs.length + b.metrics.length + b.spans.length + b.events.length + b.objects.length;
}
