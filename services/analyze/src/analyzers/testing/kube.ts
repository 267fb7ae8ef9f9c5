import type { Anomaly, K8sEvent, LogRecord, ObjectSnapshot, ResourceRef } from '@sleuth/core';

/** The fixed clock every analyzer test runs at. */
export const NOW = Date.parse('2026-03-02T12:00:00Z');
export const CLUSTER = 'prod';

/** A reference in the test cluster (namespace `shop` unless told; `null` for cluster-scoped). */
export function ref(kind: string, name: string, namespace: string | null = 'shop'): ResourceRef {
  return namespace === null ? { cluster: CLUSTER, kind, name } : { cluster: CLUSTER, namespace, kind, name };
}

/** A snapshot of an object (metadata.name/namespace filled in), taken `agoMs` before NOW. */
export function snap(r: ResourceRef, object: Record<string, unknown>, agoMs = 0): ObjectSnapshot {
  const metadata = {
    name: r.name,
    ...(r.namespace ? { namespace: r.namespace } : {}),
    ...rec(object['metadata']),
  };
  return {
    ref: r,
    apiVersion: 'v1',
    timeMs: NOW - agoMs,
    deleted: false,
    object: { kind: r.kind, ...object, metadata },
  };
}

function rec(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...v } : {};
}

let seq = 0;

/** A Warning event about an object, last seen `agoMs` before NOW. */
export function event(
  involved: ResourceRef,
  reason: string,
  message: string,
  opts: { type?: 'Normal' | 'Warning'; agoMs?: number; count?: number } = {},
): K8sEvent {
  const lastMs = NOW - (opts.agoMs ?? 60_000);
  return {
    id: `ev-${++seq}`,
    cluster: involved.cluster,
    ...(involved.namespace ? { namespace: involved.namespace } : {}),
    involved,
    type: opts.type ?? 'Warning',
    reason,
    message,
    count: opts.count ?? 1,
    firstMs: lastMs - 600_000,
    lastMs,
  };
}

/** A container log line of a pod; `previous` marks the terminated instance's log. */
export function logLine(
  pod: ResourceRef,
  container: string,
  body: string,
  opts: { agoMs?: number; previous?: boolean; severity?: LogRecord['severity'] } = {},
): LogRecord {
  return {
    id: `log-${++seq}`,
    timeMs: NOW - (opts.agoMs ?? 120_000),
    source: {
      cluster: pod.cluster,
      ...(pod.namespace ? { namespace: pod.namespace } : {}),
      pod: pod.name,
      container,
    },
    severity: opts.severity ?? 'info',
    body,
    attributes: opts.previous ? { 'k8s.container.previous': true } : {},
  };
}

let anomalySeq = 0;

/** An anomaly a detector raised about `resource`, starting `onsetAgoMs` before NOW and still open. */
export function anomaly(resource: ResourceRef, detector: string, title: string, onsetAgoMs: number): Anomaly {
  return {
    id: `an-${++anomalySeq}`,
    detector,
    resource,
    signal: { kind: 'anomaly', id: `sig-${anomalySeq}` },
    onsetMs: NOW - onsetAgoMs,
    lastSeenMs: NOW,
    score: 0.9,
    title,
    explanation: title,
  };
}
