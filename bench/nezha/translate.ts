/**
 * Nezha's TrainTicket CSV rows as the OTLP/JSON export requests an OpenTelemetry Collector would
 * have sent Sleuth for them: the same records, with the resource attributes the collector's
 * k8sattributes processor adds. Nothing is judged here; the requests go through the product's
 * own receiver code (`ingestOtlp`).
 *
 * What is inferred, and why it is translation:
 * - The Deployment (and service.name) of a pod from TrainTicket's pod names,
 *   `<deployment>-<replicaset hash>-<pod suffix>`: what k8sattributes reads from the owner chain.
 * - A span's kind, which the CSV dropped: the OpenTelemetry Java agent that produced the traces
 *   marks a span SERVER when it is the entry into its pod (its parent ran in another pod, or it
 *   is a root) and CLIENT when it calls into another pod; every other span is INTERNAL.
 * - A log line's severity from its level word (`19:50:59.971 INFO  t.s.X#457 ...`), as a filelog
 *   receiver's regex parser would; its time from the Docker JSON line's `time`, as the
 *   collector's container parser would (Nezha's TimeUnixNano column overflowed on a few lines).
 */
import { keyValues, type JsonObject } from '@sleuth/pipeline';

export const CLUSTER = 'nezha-trainticket';
export const NAMESPACE = 'train-ticket';

/** TrainTicket pod name to its Deployment: the name without the ReplicaSet hash and pod suffix. */
export function deploymentOf(pod: string): string {
  const parts = pod.split('-');
  return parts.length > 2 ? parts.slice(0, -2).join('-') : pod;
}

/** The resource attributes of a pod's telemetry. */
export function podResource(pod: string, node?: string): Record<string, string> {
  const deployment = deploymentOf(pod);
  return {
    'k8s.cluster.name': CLUSTER,
    'k8s.namespace.name': NAMESPACE,
    'k8s.deployment.name': deployment,
    'k8s.pod.name': pod,
    'service.name': deployment,
    ...(node ? { 'k8s.node.name': node } : {}),
  };
}

const nanos = (ns: bigint | string): string => String(ns);

/** OTLP SpanKind numbers. */
const KIND = { internal: 1, server: 2, client: 3 } as const;

export interface TraceRow {
  TraceID: string;
  SpanID: string;
  ParentID: string;
  PodName: string;
  OperationName: string;
  StartTimeUnixNano: string;
  EndTimeUnixNano: string;
}

/**
 * Span kinds of a set of trace rows, keyed `traceId/spanId`: SERVER for a pod's entry span,
 * CLIENT for a span with a child in another pod, INTERNAL otherwise (see the file comment).
 */
export function spanKinds(rows: readonly TraceRow[]): Map<string, number> {
  const podOf = new Map<string, string>();
  for (const r of rows) podOf.set(`${r.TraceID}/${r.SpanID}`, r.PodName);
  const kinds = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.TraceID}/${r.SpanID}`;
    if (r.ParentID === 'root' || r.ParentID === '') {
      kinds.set(key, KIND.server);
      continue;
    }
    const parentKey = `${r.TraceID}/${r.ParentID}`;
    const parentPod = podOf.get(parentKey);
    if (parentPod !== r.PodName) kinds.set(key, KIND.server);
    if (parentPod !== undefined && parentPod !== r.PodName) kinds.set(parentKey, KIND.client);
  }
  for (const r of rows) {
    const key = `${r.TraceID}/${r.SpanID}`;
    if (!kinds.has(key)) kinds.set(key, KIND.internal);
  }
  return kinds;
}

export function otlpSpan(r: TraceRow, kind: number): JsonObject {
  return {
    traceId: r.TraceID,
    spanId: r.SpanID,
    ...(r.ParentID === 'root' || r.ParentID === '' ? {} : { parentSpanId: r.ParentID }),
    name: r.OperationName,
    kind,
    startTimeUnixNano: nanos(r.StartTimeUnixNano),
    endTimeUnixNano: nanos(r.EndTimeUnixNano),
  };
}

export interface LogRow {
  TimeUnixNano: string;
  Node: string;
  PodName: string;
  Container: string;
  TraceID: string;
  SpanID: string;
  Log: string;
}

const LEVEL = /^\S+\s+(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL)\b/;

/** ISO-8601 UTC with up to nanosecond digits (`2023-01-30T12:01:02.107455865Z`) as epoch ns. */
function isoNanos(text: string): bigint | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(text);
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1] ?? ''}Z`);
  if (Number.isNaN(seconds)) return undefined;
  return BigInt(seconds) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/** The container's line and the time the runtime wrote it (the Docker JSON log's `log`, `time`). */
function dockerLine(r: LogRow): { line: string; nanos: bigint | undefined } {
  let line = r.Log;
  let nanos = /^\d+$/.test(r.TimeUnixNano) ? BigInt(r.TimeUnixNano) : undefined;
  try {
    const parsed = JSON.parse(r.Log) as { log?: unknown; time?: unknown };
    if (typeof parsed.log === 'string') line = parsed.log;
    // The collector's container parser takes the runtime's time: Nezha's TimeUnixNano column
    // overflowed on some lines.
    if (typeof parsed.time === 'string') nanos = isoNanos(parsed.time) ?? nanos;
  } catch {
    // Not Docker JSON: the field is the line itself.
  }
  return { line: line.replace(/\s+$/, ''), nanos };
}

/** When a log row was written, epoch ms (NaN when neither the runtime nor the CSV says). */
export function logTimeMs(r: LogRow): number {
  const { nanos } = dockerLine(r);
  return nanos === undefined ? NaN : Number(nanos / 1_000_000n);
}

/** The container's line (the `log` field of the Docker JSON log), with its level and time. */
export function otlpLog(r: LogRow): JsonObject {
  const { line, nanos } = dockerLine(r);
  const level = LEVEL.exec(line)?.[1];
  return {
    ...(nanos === undefined ? {} : { timeUnixNano: String(nanos) }),
    ...(level ? { severityText: level } : {}),
    body: { stringValue: line },
    ...(/^[0-9a-f]{32}$/.test(r.TraceID) ? { traceId: r.TraceID } : {}),
    ...(/^[0-9a-f]{16}$/.test(r.SpanID) ? { spanId: r.SpanID } : {}),
  };
}

/**
 * Nezha's per-pod metric columns as gauges (name, unit, attributes). Node-wide columns are left
 * out: the metric file does not say which node, and they describe the node, not the pod.
 */
export const POD_METRICS: Record<string, { name: string; unit: string; attrs?: Record<string, string> }> = {
  'CpuUsage(m)': { name: 'k8s.pod.cpu.usage', unit: 'm' },
  'CpuUsageRate(%)': { name: 'k8s.pod.cpu.limit_utilization', unit: '%' },
  'MemoryUsage(Mi)': { name: 'k8s.pod.memory.usage', unit: 'Mi' },
  'MemoryUsageRate(%)': { name: 'k8s.pod.memory.limit_utilization', unit: '%' },
  SyscallRead: { name: 'k8s.pod.syscalls', unit: '{call}/s', attrs: { direction: 'read' } },
  SyscallWrite: { name: 'k8s.pod.syscalls', unit: '{call}/s', attrs: { direction: 'write' } },
  NetworkReceiveBytes: { name: 'k8s.pod.network.io', unit: 'By/s', attrs: { direction: 'receive' } },
  NetworkTransmitBytes: { name: 'k8s.pod.network.io', unit: 'By/s', attrs: { direction: 'transmit' } },
  'PodClientLatencyP90(s)': { name: 'pod.client.latency', unit: 's', attrs: { quantile: '0.9' } },
  'PodServerLatencyP90(s)': { name: 'pod.server.latency', unit: 's', attrs: { quantile: '0.9' } },
  'PodClientLatencyP95(s)': { name: 'pod.client.latency', unit: 's', attrs: { quantile: '0.95' } },
  'PodServerLatencyP95(s)': { name: 'pod.server.latency', unit: 's', attrs: { quantile: '0.95' } },
  'PodClientLatencyP99(s)': { name: 'pod.client.latency', unit: 's', attrs: { quantile: '0.99' } },
  'PodServerLatencyP99(s)': { name: 'pod.server.latency', unit: 's', attrs: { quantile: '0.99' } },
  'PodWorkload(Ops)': { name: 'pod.requests', unit: '{request}/s' },
  'PodSuccessRate(%)': { name: 'pod.success_rate', unit: '%' },
};

/** front_service.csv: the load generator's view of the entry service. */
export const FRONT_METRICS: Record<string, { name: string; unit: string; attrs?: Record<string, string> }> = {
  'SuccessRate(%)': { name: 'frontend.success_rate', unit: '%' },
  'LatencyP50(s)': { name: 'frontend.latency', unit: 's', attrs: { quantile: '0.5' } },
  'LatencyP90(s)': { name: 'frontend.latency', unit: 's', attrs: { quantile: '0.9' } },
  'LatencyP95(s)': { name: 'frontend.latency', unit: 's', attrs: { quantile: '0.95' } },
  'LatencyP99(s)': { name: 'frontend.latency', unit: 's', attrs: { quantile: '0.99' } },
};

/** One gauge metric with one data point; NaN samples (no data that minute) are not sent. */
export function otlpGauge(
  spec: { name: string; unit: string; attrs?: Record<string, string> },
  timeMs: number,
  value: number,
): JsonObject | undefined {
  if (!Number.isFinite(value)) return undefined;
  return {
    name: spec.name,
    unit: spec.unit,
    gauge: {
      dataPoints: [
        {
          timeUnixNano: nanos(BigInt(Math.round(timeMs)) * 1_000_000n),
          asDouble: value,
          attributes: keyValues(spec.attrs ?? {}),
        },
      ],
    },
  };
}
