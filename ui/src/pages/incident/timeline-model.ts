/**
 * What the incident timeline draws, derived from the incident's detail: the window around it, the
 * anomaly windows (bands), the events and object changes (markers), the metric series its
 * anomalies point at, and the workloads whose log rate is worth a chart.
 */
import type { ChartBand, ChartData, ChartMarker } from '../../lib/components/chart-model';
import type { SourceFilter } from '../../lib/api/signal-windows';
import type { Anomaly, IncidentDetail, ResourceRef, TimelineEntry } from '../../lib/api/types';
import { formatBytes, formatCount, resourceName } from '../../lib/format';
import { seriesName } from './evidence-model';

const MIN = 60_000;

/** The incident's window, padded on both sides by a fifth of its length (at least 5 minutes). */
export function incidentWindow(d: IncidentDetail, nowMs: number): { fromMs: number; toMs: number } {
  const starts = [d.startMs, ...d.anomalies.map((a) => a.onsetMs)];
  const ends = [
    d.resolvedMs ?? Math.max(d.updatedMs, Math.min(nowMs, d.updatedMs + 30 * MIN)),
    ...d.anomalies.map((a) => a.endMs ?? a.lastSeenMs),
    ...d.timeline.map((t) => t.timeMs),
  ];
  const from = Math.min(...starts);
  const to = Math.max(...ends);
  const pad = Math.max(5 * MIN, (to - from) / 5);
  return { fromMs: Math.floor(from - pad), toMs: Math.ceil(to + pad) };
}

/** A shaded window on the charts and the anomalies active in it. */
export interface AnomalyBand extends ChartBand {
  anomalyIds: string[];
}

/**
 * The windows in which anomalies were active: overlapping anomalies share one band (a dozen
 * stacked shadings would hide the lines), and the `highlight`ed anomaly gets its own, emphasised.
 */
export function anomalyBands(anomalies: readonly Anomaly[], highlight?: string): AnomalyBand[] {
  const out: AnomalyBand[] = [];
  for (const a of [...anomalies].sort((x, y) => x.onsetMs - y.onsetMs)) {
    const toMs = a.endMs ?? a.lastSeenMs;
    const last = out.at(-1);
    if (last && a.onsetMs <= last.toMs) {
      last.toMs = Math.max(last.toMs, toMs);
      last.anomalyIds.push(a.id);
      last.label = `${last.anomalyIds.length} anomalies`;
    } else {
      out.push({ fromMs: a.onsetMs, toMs, label: a.title, anomalyIds: [a.id] });
    }
  }
  const chosen = anomalies.find((a) => a.id === highlight);
  if (chosen)
    out.push({
      fromMs: chosen.onsetMs,
      toMs: chosen.endMs ?? chosen.lastSeenMs,
      label: chosen.title,
      emphasis: true,
      anomalyIds: [chosen.id],
    });
  return out;
}

/** Events (Warning ones in the warning colour) and object changes, as vertical markers. */
export function timelineMarkers(timeline: readonly TimelineEntry[]): ChartMarker[] {
  return timeline.flatMap((t): ChartMarker[] => {
    if (t.type === 'event')
      return [
        { timeMs: t.timeMs, label: t.summary, tone: t.summary.startsWith('Warning') ? 'warning' : 'info' },
      ];
    if (t.type === 'object-change') return [{ timeMs: t.timeMs, label: t.summary, tone: 'change' }];
    return [];
  });
}

/** A metric series one or more anomalies point at, with where it was measured. */
export interface AnomalySeries {
  key: string;
  name: string;
  labels: Record<string, string>;
  source: SourceFilter;
  /** The anomalies on this series, by onset. */
  anomalyIds: string[];
  title: string;
}

/** The distinct series the anomalies point at (at most `max`), in order of first onset. */
export function anomalySeries(anomalies: readonly Anomaly[], max = 6): AnomalySeries[] {
  const out = new Map<string, AnomalySeries>();
  for (const a of [...anomalies].sort((x, y) => x.onsetMs - y.onsetMs)) {
    const s = a.signal;
    if (s.kind !== 'series') continue;
    const key = `${a.resource.cluster} ${seriesName(s)}`;
    const known = out.get(key);
    if (known) {
      known.anomalyIds.push(a.id);
      continue;
    }
    if (out.size >= max) continue;
    out.set(key, {
      key,
      name: s.name,
      labels: s.labels,
      source: { cluster: a.resource.cluster, namespace: a.resource.namespace },
      anomalyIds: [a.id],
      title: `${s.name} on ${resourceName(a.resource)}`,
    });
  }
  return [...out.values()];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet']);

/** A source of log lines whose rate is charted: a pod, or a workload's pods. */
export interface LogSource {
  label: string;
  filter: SourceFilter;
}

/**
 * The incident's workloads and pods whose log lines to count (at most `max`): workloads first (all
 * their pods), then pods whose workload is not already counted.
 */
export function logSources(resources: readonly ResourceRef[], max = 4): LogSource[] {
  const workloads = resources.filter((r) => WORKLOAD_KINDS.has(r.kind) && r.kind !== 'ReplicaSet');
  const pods = resources.filter((r) => r.kind === 'Pod');
  const out: LogSource[] = workloads.map((w) => ({
    label: `${w.kind} ${w.name}`,
    filter: { cluster: w.cluster, namespace: w.namespace, workload: w.name },
  }));
  for (const p of pods) {
    const owned = workloads.some(
      (w) => w.cluster === p.cluster && w.namespace === p.namespace && p.name.startsWith(`${w.name}-`),
    );
    if (!owned)
      out.push({
        label: `Pod ${p.name}`,
        filter: { cluster: p.cluster, namespace: p.namespace, pod: p.name },
      });
  }
  return out.slice(0, max);
}

/** A bucket width that gives about `buckets` points over the window: whole minutes, at least one. */
export function bucketFor(window: { fromMs: number; toMs: number }, buckets = 90): number {
  return Math.max(1, Math.ceil((window.toMs - window.fromMs) / buckets / MIN)) * MIN;
}

/** How a timeline entry's type reads in the list. */
export const ENTRY_LABEL: Record<TimelineEntry['type'], string> = {
  'incident-opened': 'Opened',
  'incident-updated': 'Updated',
  'incident-resolved': 'Resolved',
  'anomaly-onset': 'Anomaly',
  'anomaly-end': 'Anomaly ended',
  event: 'Event',
  'object-change': 'Change',
};

/**
 * The chart data with empty points at the window's ends, so every chart of the timeline spans the
 * same time axis whatever its data covers.
 */
export function spanRange(data: ChartData, range: { fromMs: number; toMs: number }): ChartData {
  const first = data.x[0];
  const last = data.x.at(-1);
  if (first === undefined || last === undefined) return data;
  const before = first > range.fromMs;
  const after = last < range.toMs;
  return {
    x: [...(before ? [range.fromMs] : []), ...data.x, ...(after ? [range.toMs] : [])],
    series: data.series.map((s) => ({
      ...s,
      values: [...(before ? [null] : []), ...s.values, ...(after ? [null] : [])],
    })),
  };
}

/** How a metric's unit reads on the axis: bytes in KiB/MiB/GiB, big numbers compact. */
export function axisFormat(unit: string | undefined): { label: string; format: (v: number) => string } {
  if (unit === 'By' || unit === 'bytes')
    return { label: '', format: (v) => (v < 0 ? `-${formatBytes(-v)}` : formatBytes(v)) };
  return {
    label: unit === '1' ? '' : (unit ?? ''),
    format: (v) => (Math.abs(v) >= 10_000 ? formatCount(v) : String(v)),
  };
}
