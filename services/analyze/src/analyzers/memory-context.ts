import {
  refKey,
  type Anomaly,
  type K8sEvent,
  type LogRecord,
  type ObjectSnapshot,
  type ResourceRef,
  type Span,
} from '@sleuth/core';
import type { ServiceCall } from '@sleuth/store';
import { buildTopology } from '../topology/build';
import type { TopologyGraph } from '../topology/graph';
import type {
  AnalysisContext,
  AnomalyWindow,
  Neighbour,
  PodLogQuery,
  SeriesQuery,
  SeriesWindow,
} from './analyzer';
import { graphNeighbours } from './graph-neighbours';

/** What an in-memory context holds: every snapshot (history included), events, logs, series, calls, anomalies. */
export interface MemoryContextData {
  nowMs: number;
  objects?: ObjectSnapshot[];
  events?: K8sEvent[];
  logs?: LogRecord[];
  series?: (SeriesWindow & { cluster: string; namespace?: string; pod?: string })[];
  calls?: ServiceCall[];
  anomalies?: Anomaly[];
  spans?: Span[];
}

const sameObject = (a: ResourceRef, b: ResourceRef): boolean => refKey(a) === refKey(b);

/**
 * An AnalysisContext over arrays in memory, for tests and replays: the same answers a Store-backed
 * context gives for the same data (latest snapshot per object, newest first, topology built with
 * `buildTopology`). Logs of a previous container instance carry `k8s.container.previous: true`.
 */
export class MemoryContext implements AnalysisContext {
  readonly nowMs: number;
  private readonly data: Required<MemoryContextData>;
  private readonly graphs = new Map<string, TopologyGraph>();

  constructor(data: MemoryContextData) {
    this.nowMs = data.nowMs;
    this.data = {
      objects: [],
      events: [],
      logs: [],
      series: [],
      calls: [],
      anomalies: [],
      spans: [],
      ...data,
    };
  }

  private latest(): ObjectSnapshot[] {
    const byKey = new Map<string, ObjectSnapshot>();
    for (const o of this.data.objects) {
      const key = refKey(o.ref);
      const cur = byKey.get(key);
      if (!cur || o.timeMs >= cur.timeMs) byKey.set(key, o);
    }
    return [...byKey.values()].filter((o) => !o.deleted);
  }

  object(ref: ResourceRef): Promise<ObjectSnapshot | undefined> {
    return Promise.resolve(this.latest().find((o) => sameObject(o.ref, ref)));
  }

  objects(cluster: string, kind: string, namespace?: string): Promise<ObjectSnapshot[]> {
    return Promise.resolve(
      this.latest().filter(
        (o) =>
          o.ref.cluster === cluster &&
          o.ref.kind === kind &&
          (namespace === undefined || o.ref.namespace === namespace),
      ),
    );
  }

  history(ref: ResourceRef, limit: number): Promise<ObjectSnapshot[]> {
    const past = this.data.objects.filter((o) => sameObject(o.ref, ref)).sort((a, b) => b.timeMs - a.timeMs);
    return Promise.resolve(past.slice(0, limit));
  }

  events(ref: ResourceRef, sinceMs?: number): Promise<K8sEvent[]> {
    const out = this.data.events
      .filter((e) => sameObject(e.involved, ref) && (sinceMs === undefined || e.lastMs >= sinceMs))
      .sort((a, b) => b.lastMs - a.lastMs);
    return Promise.resolve(out);
  }

  podLogs(q: PodLogQuery): Promise<LogRecord[]> {
    const out = this.data.logs
      .filter((l) => {
        const s = l.source;
        if (s.cluster !== q.pod.cluster || s.namespace !== q.pod.namespace || s.pod !== q.pod.name)
          return false;
        if (q.container !== undefined && s.container !== q.container) return false;
        const previous = l.attributes['k8s.container.previous'] === true;
        return q.previous === undefined || q.previous === previous;
      })
      .sort((a, b) => b.timeMs - a.timeMs);
    return Promise.resolve(out.slice(0, q.limit));
  }

  series(q: SeriesQuery): Promise<SeriesWindow[]> {
    const out = this.data.series
      .filter(
        (s) =>
          s.name === q.name &&
          s.cluster === q.cluster &&
          (q.namespace === undefined || s.namespace === q.namespace) &&
          (q.pod === undefined || s.pod === q.pod),
      )
      .map((s) => ({
        name: s.name,
        labels: { ...s.labels },
        points: s.points.filter(([t]) => t >= q.fromMs && t < q.toMs),
        ...(s.source ? { source: s.source } : {}),
      }));
    return Promise.resolve(out);
  }

  anomalies(q: AnomalyWindow): Promise<Anomaly[]> {
    const out = this.data.anomalies
      .filter(
        (a) =>
          a.resource.cluster === q.cluster &&
          (q.namespace === undefined || a.resource.namespace === q.namespace) &&
          a.onsetMs < q.toMs &&
          (a.endMs ?? a.lastSeenMs) >= q.fromMs,
      )
      .sort((a, b) => b.onsetMs - a.onsetMs);
    return Promise.resolve(out.slice(0, 1000));
  }

  spans(q: AnomalyWindow & { limit: number }): Promise<Span[]> {
    const out = this.data.spans
      .filter(
        (s) =>
          s.source.cluster === q.cluster &&
          (q.namespace === undefined || s.source.namespace === q.namespace) &&
          s.startMs >= q.fromMs &&
          s.startMs < q.toMs,
      )
      .sort((a, b) => b.startMs - a.startMs);
    return Promise.resolve(out.slice(0, q.limit));
  }

  neighbours(ref: ResourceRef): Promise<{ dependsOn: Neighbour[]; dependents: Neighbour[] }> {
    let graph = this.graphs.get(ref.cluster);
    if (!graph) {
      graph = buildTopology(ref.cluster, this.latest(), this.data.calls, this.nowMs);
      this.graphs.set(ref.cluster, graph);
    }
    return Promise.resolve(graphNeighbours(graph, ref));
  }
}
