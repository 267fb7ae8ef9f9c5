import type { FaultTarget } from '../faults/fault-schema';
import {
  at,
  eventRecords,
  text,
  type Decoded,
  type FlatLog,
  type FlatPoint,
  type WatchRecord,
} from './captured-signals';

/** The target's events with `reason`, in time order. */
export function eventsOf(logs: readonly FlatLog[], target: FaultTarget, reason: string): FlatLog[] {
  return eventRecords(logs).filter(
    (e) =>
      e.resource['k8s.cluster.name'] === target.cluster &&
      text(e.resource['k8s.object.name']).startsWith(target.workload) &&
      e.attributes['k8s.event.reason'] === reason,
  );
}

/** Each pod's last watch record (by uid), leaving out pods that were deleted. */
export function livePods(pods: readonly WatchRecord[]): WatchRecord[] {
  const last = new Map<string, WatchRecord>();
  for (const p of pods) last.set(text(at(p.object, 'metadata', 'uid')), p);
  return [...last.values()].filter((p) => p.type !== 'DELETED');
}

/** The app container's spec in a pod object. */
export function containerSpecOf(pod: WatchRecord): Decoded | undefined {
  return at(pod.object, 'spec', 'containers', 0);
}

/**
 * Mean server request duration (seconds) of a service in a cluster, from cumulative histogram
 * points: last minus first per series, over all its pods.
 */
export function meanLatency(points: readonly FlatPoint[], cluster: string, service: string): number {
  const bySeries = new Map<string, FlatPoint[]>();
  for (const p of points) {
    if (p.name !== 'http_server_request_duration_seconds') continue;
    if (p.resource['k8s.cluster.name'] !== cluster || p.resource['service.name'] !== service) continue;
    const key = text(p.resource['k8s.pod.uid']) + JSON.stringify(p.attributes);
    bySeries.set(key, [...(bySeries.get(key) ?? []), p]);
  }
  let sum = 0;
  let count = 0;
  for (const list of bySeries.values()) {
    const first = list[0];
    const last = list[list.length - 1];
    if (!first || !last) continue;
    sum += (last.sum ?? 0) - (first.sum ?? 0);
    count += last.value - first.value;
  }
  return count === 0 ? 0 : sum / count;
}

/** Requests a service answered with a status starting with `prefix`, from the RED counters. */
export function requestsWithStatus(
  points: readonly FlatPoint[],
  cluster: string,
  service: string,
  prefix: string,
): FlatPoint[] {
  return points.filter(
    (p) =>
      p.name === 'http_server_requests_total' &&
      p.resource['k8s.cluster.name'] === cluster &&
      p.resource['service.name'] === service &&
      text(p.attributes['status_code']).startsWith(prefix),
  );
}

/** Warning events of a cluster. */
export function warningEvents(logs: readonly FlatLog[], cluster: string): FlatLog[] {
  return eventRecords(logs).filter(
    (e) => e.resource['k8s.cluster.name'] === cluster && e.severityText === 'Warning',
  );
}

/**
 * Increase of a counter summed over a service's series in a cluster between `fromMs` and `toMs`
 * (each series' last value in the range minus its last value before it; a series that started
 * in the range counts from zero, one seen only in it from its first value).
 */
export function counterIncrease(
  points: readonly FlatPoint[],
  name: string,
  cluster: string,
  service: string,
  fromMs: number,
  toMs: number,
): number {
  const bySeries = new Map<string, FlatPoint[]>();
  for (const p of points) {
    if (p.name !== name || p.resource['k8s.cluster.name'] !== cluster) continue;
    if (p.resource['service.name'] !== service || p.timeMs > toMs) continue;
    const key = text(p.resource['k8s.pod.uid']) + JSON.stringify(p.attributes) + String(p.startMs);
    bySeries.set(key, [...(bySeries.get(key) ?? []), p]);
  }
  let sum = 0;
  for (const list of bySeries.values()) {
    const inRange = list.filter((p) => p.timeMs > fromMs);
    const last = inRange[inRange.length - 1];
    if (!last) continue;
    const base = list.filter((p) => p.timeMs <= fromMs).pop();
    const born = (last.startMs ?? 0) > fromMs;
    sum += last.value - (base ? base.value : born ? 0 : (inRange[0]?.value ?? 0));
  }
  return sum;
}
