import { keyValues } from './attributes';
import {
  CUMULATIVE,
  type ExportLogsServiceRequest,
  type ExportMetricsServiceRequest,
  type ExportTraceServiceRequest,
  type OtlpHistogramDataPoint,
  type OtlpLogRecord,
  type OtlpMetric,
  type OtlpNumberDataPoint,
  type OtlpSpan,
} from './types';

/** Resource attributes as the simulator keeps them: flat strings (k8s.pod.name, service.name ...). */
export type ResourceAttrs = Readonly<Record<string, string>>;

/** A log record waiting to be exported, with the resource and scope it belongs to. */
export interface PendingLog {
  resource: ResourceAttrs;
  scope: string;
  timeMs: number;
  record: OtlpLogRecord;
}

/** A finished span waiting to be exported. */
export interface PendingSpan {
  resource: ResourceAttrs;
  scope: string;
  span: OtlpSpan;
}

/** One data point of one metric, waiting to be exported. */
export type PendingMetric = {
  resource: ResourceAttrs;
  scope: string;
  name: string;
  unit: string;
  description: string;
} & (
  | { type: 'gauge'; point: OtlpNumberDataPoint }
  | { type: 'counter'; point: OtlpNumberDataPoint }
  | { type: 'histogram'; point: OtlpHistogramDataPoint }
);

interface Group<T> {
  resource: ResourceAttrs;
  scopes: Map<string, T[]>;
}

/** Groups items by resource then scope, keeping first-seen order (deterministic output). */
function groupByResource<T extends { resource: ResourceAttrs; scope: string }>(items: T[]): Group<T>[] {
  const groups = new Map<string, Group<T>>();
  for (const item of items) {
    const key = JSON.stringify(item.resource);
    let group = groups.get(key);
    if (!group) {
      group = { resource: item.resource, scopes: new Map() };
      groups.set(key, group);
    }
    const list = group.scopes.get(item.scope);
    if (list) list.push(item);
    else group.scopes.set(item.scope, [item]);
  }
  return [...groups.values()];
}

/** Splits a list into chunks of at most `size` items. */
function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Builds ExportLogsServiceRequests, at most `maxRecords` records each. Within a resource and
 * scope, records are ordered by time as a file tailer would read them.
 */
export function buildLogsRequests(logs: PendingLog[], maxRecords: number): ExportLogsServiceRequest[] {
  return chunk(logs, maxRecords).map((part) => ({
    resourceLogs: groupByResource(part).map((g) => ({
      resource: { attributes: keyValues(g.resource) },
      scopeLogs: [...g.scopes].map(([scope, items]) => ({
        scope: { name: scope },
        logRecords: [...items].sort((a, b) => a.timeMs - b.timeMs).map((i) => i.record),
      })),
    })),
  }));
}

/** Builds ExportTraceServiceRequests, at most `maxSpans` spans each. */
export function buildTracesRequests(spans: PendingSpan[], maxSpans: number): ExportTraceServiceRequest[] {
  return chunk(spans, maxSpans).map((part) => ({
    resourceSpans: groupByResource(part).map((g) => ({
      resource: { attributes: keyValues(g.resource) },
      scopeSpans: [...g.scopes].map(([scope, items]) => ({
        scope: { name: scope },
        spans: items.map((i) => i.span),
      })),
    })),
  }));
}

/**
 * Builds ExportMetricsServiceRequests, at most `maxPoints` data points each. Points of the same
 * metric under one resource and scope share one Metric; counters and histograms are cumulative.
 */
export function buildMetricsRequests(
  points: PendingMetric[],
  maxPoints: number,
): ExportMetricsServiceRequest[] {
  return chunk(points, maxPoints).map((part) => ({
    resourceMetrics: groupByResource(part).map((g) => ({
      resource: { attributes: keyValues(g.resource) },
      scopeMetrics: [...g.scopes].map(([scope, items]) => ({
        scope: { name: scope },
        metrics: toMetrics(items),
      })),
    })),
  }));
}

function toMetrics(points: PendingMetric[]): OtlpMetric[] {
  const byName = new Map<string, OtlpMetric>();
  for (const p of points) {
    let metric = byName.get(p.name);
    if (!metric) {
      metric = emptyMetric(p);
      byName.set(p.name, metric);
    }
    if (p.type === 'histogram' && 'histogram' in metric) metric.histogram.dataPoints.push(p.point);
    else if (p.type === 'counter' && 'sum' in metric) metric.sum.dataPoints.push(p.point);
    else if (p.type === 'gauge' && 'gauge' in metric) metric.gauge.dataPoints.push(p.point);
  }
  return [...byName.values()];
}

function emptyMetric(p: PendingMetric): OtlpMetric {
  const base = { name: p.name, unit: p.unit, description: p.description };
  if (p.type === 'histogram')
    return { ...base, histogram: { dataPoints: [], aggregationTemporality: CUMULATIVE } };
  if (p.type === 'counter') {
    return { ...base, sum: { dataPoints: [], aggregationTemporality: CUMULATIVE, isMonotonic: true } };
  }
  return { ...base, gauge: { dataPoints: [] } };
}
