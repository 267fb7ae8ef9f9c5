import { z } from 'zod';
import { EpochMsSchema, IncidentSeverity, ResourceRef, Severity } from '@sleuth/core';

/** Filters shared by every signal query: a time window and where the signal came from. */
const SourceFilter = {
  cluster: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  workload: z.string().min(1).optional(),
  pod: z.string().min(1).optional(),
};
const Window = {
  /** Inclusive lower bound, epoch ms. */
  fromMs: EpochMsSchema.optional(),
  /** Exclusive upper bound, epoch ms. */
  toMs: EpochMsSchema.optional(),
};

export const LogQuery = z.object({
  /** Full-text query: words are ANDed; "quoted phrases" match exactly; a trailing * matches a prefix. */
  q: z.string().max(1000).optional(),
  ...Window,
  ...SourceFilter,
  container: z.string().min(1).optional(),
  service: z.string().min(1).optional(),
  /** Only these severities. */
  severities: z.array(Severity).min(1).optional(),
  traceId: z.string().length(32).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
  /** Opaque cursor from a previous page's `nextCursor`: continue with older records. */
  cursor: z.string().max(64).optional(),
});
export type LogQuery = z.input<typeof LogQuery>;

export const SeriesListQuery = z.object({
  /** Exact metric name, or a prefix ending in `*`. */
  name: z.string().min(1).max(255).optional(),
  /** Label equality matchers that every listed series must satisfy. */
  labels: z.record(z.string(), z.string()).optional(),
  ...SourceFilter,
  /** Only series with a point in the window. */
  ...Window,
  limit: z.number().int().min(1).max(10_000).default(1000),
});
export type SeriesListQuery = z.input<typeof SeriesListQuery>;

export const AGGREGATIONS = ['avg', 'min', 'max', 'sum', 'last', 'count', 'rate'] as const;
export const Aggregation = z.enum(AGGREGATIONS);

export const RangeQuery = z.object({
  name: z.string().min(1).max(255),
  labels: z.record(z.string(), z.string()).optional(),
  ...SourceFilter,
  fromMs: EpochMsSchema,
  toMs: EpochMsSchema,
  /** Bucket width; points in each bucket are combined with `agg`. Omitted: raw points. */
  stepMs: z.number().int().positive().optional(),
  /** How points in a bucket combine. `rate` is per-second increase of a counter, resets handled. */
  agg: Aggregation.default('avg'),
  /** Most series returned; more matching series are reported in `truncated`. */
  limit: z.number().int().min(1).max(1000).default(200),
});
export type RangeQuery = z.input<typeof RangeQuery>;

export const SpanQuery = z.object({
  ...Window,
  ...SourceFilter,
  service: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  status: z.enum(['unset', 'ok', 'error']).optional(),
  minDurationMs: z.number().nonnegative().optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type SpanQuery = z.input<typeof SpanQuery>;

/** Calls between services observed in traces: a span whose parent belongs to another service. */
export const ServiceCallQuery = z.object({
  ...Window,
  /** Only calls whose caller or callee is in this cluster. */
  cluster: z.string().min(1).optional(),
  limit: z.number().int().min(1).max(10_000).default(1000),
});
export type ServiceCallQuery = z.input<typeof ServiceCallQuery>;

export const EventQuery = z.object({
  ...Window,
  cluster: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  kind: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  reason: z.string().min(1).optional(),
  type: z.enum(['Normal', 'Warning']).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type EventQuery = z.input<typeof EventQuery>;

export const ObjectQuery = z.object({
  cluster: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  kind: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  includeDeleted: z.boolean().default(false),
  limit: z.number().int().min(1).max(5000).default(500),
  /**
   * Keyset cursor: only objects after this one in the listing order (cluster, namespace with
   * cluster-scoped objects first, kind, name). Pass the last object of a full page to read the next.
   */
  after: ResourceRef.pick({ cluster: true, namespace: true, kind: true, name: true }).optional(),
});
export type ObjectQuery = z.input<typeof ObjectQuery>;

export const HistoryQuery = z.object({
  ...Window,
  limit: z.number().int().min(1).max(1000).default(100),
});
export type HistoryQuery = z.input<typeof HistoryQuery>;

export const AnomalyQuery = z.object({
  ...Window,
  cluster: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  resource: ResourceRef.optional(),
  detector: z.string().min(1).optional(),
  /** Only anomalies without an end. */
  openOnly: z.boolean().default(false),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type AnomalyQuery = z.input<typeof AnomalyQuery>;

/**
 * Which incidents to list. Resource filters match an incident with any of its resources (or its
 * root causes' resources) in that place: `cluster` and `namespace` each on their own, `resource`
 * all of its given fields together.
 */
export const IncidentQuery = z.object({
  ...Window,
  status: z.enum(['open', 'resolved']).optional(),
  severity: IncidentSeverity.optional(),
  cluster: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  resource: z
    .object({
      cluster: z.string().min(1).optional(),
      namespace: z.string().min(1).optional(),
      kind: z.string().min(1),
      name: z.string().min(1),
    })
    .optional(),
  /**
   * Keyset cursor: only incidents after this one in the listing order (updatedMs, then id, both
   * descending). Pass the last incident of a full page to read the next.
   */
  before: z.object({ updatedMs: EpochMsSchema, id: z.string().min(1) }).optional(),
  limit: z.number().int().min(1).max(5000).default(100),
});
export type IncidentQuery = z.input<typeof IncidentQuery>;

/**
 * Which conversations to list, newest update first. `before` is a keyset cursor like
 * IncidentQuery's: pass the last conversation of a full page to read the next.
 */
export const ConversationQuery = z.object({
  /** Only conversations pinned to this incident. */
  incidentId: z.string().min(1).max(200).optional(),
  before: z.object({ updatedMs: EpochMsSchema, id: z.string().min(1) }).optional(),
  limit: z.number().int().min(1).max(500).default(50),
});
export type ConversationQuery = z.input<typeof ConversationQuery>;

/** How many of a conversation's latest messages to read. */
export const MessageQuery = z.object({
  limit: z.number().int().min(1).max(5000).default(500),
});
export type MessageQuery = z.input<typeof MessageQuery>;

/** How many of an incident's latest investigations to read. */
export const InvestigationQuery = z.object({
  limit: z.number().int().min(1).max(500).default(20),
});
export type InvestigationQuery = z.input<typeof InvestigationQuery>;

/**
 * Which alerts to list, newest update first (updatedMs, then id, both descending). `before` is a
 * keyset cursor: pass the last alert of a full page to read the next.
 */
export const AlertQuery = z.object({
  /** Only alerts that came through this receiver. */
  receiver: z.string().min(1).max(200).optional(),
  status: z.enum(['firing', 'resolved']).optional(),
  /** Only alerts correlated to this incident. */
  incidentId: z.string().min(1).max(200).optional(),
  /** Only instances of the alert with this label-set fingerprint. */
  fingerprint: z.string().min(1).max(200).optional(),
  before: z.object({ updatedMs: EpochMsSchema, id: z.string().min(1) }).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type AlertQuery = z.input<typeof AlertQuery>;

/**
 * Which notification deliveries to list, newest first (createdMs, then id, both descending).
 * `before` is a keyset cursor: pass the last delivery of a full page to read the next.
 */
export const NotificationQuery = z.object({
  /** Only notifications about this incident. */
  incidentId: z.string().min(1).max(200).optional(),
  /** Only notifications to this channel. */
  channel: z.string().min(1).max(200).optional(),
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  before: z.object({ createdMs: EpochMsSchema, id: z.string().min(1) }).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type NotificationQuery = z.input<typeof NotificationQuery>;

/**
 * Which remediation audit entries to list, newest first (atMs, then id, both descending).
 * `before` is a keyset cursor: pass the last entry of a full page to read the next.
 */
export const FixActionQuery = z.object({
  /** Only entries about this incident. */
  incidentId: z.string().min(1).max(200).optional(),
  outcome: z.enum(['opened', 'updated', 'unchanged', 'declined', 'refused', 'failed']).optional(),
  before: z.object({ atMs: EpochMsSchema, id: z.string().min(1) }).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type FixActionQuery = z.input<typeof FixActionQuery>;
