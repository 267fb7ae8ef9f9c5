import type { Anomaly, K8sEvent, LogRecord, ObjectSnapshot, ResourceRef, Span } from '@sleuth/core';
import type { Store } from '@sleuth/store';
import type { TopologySource } from '../topology/source';
import type {
  AnalysisContext,
  AnomalyWindow,
  Neighbour,
  PodLogQuery,
  SeriesQuery,
  SeriesWindow,
} from './analyzer';
import type { PromQLSource } from '../prometheus/source';
import type { PrometheusFailure } from '../prometheus/errors';
import { PodSeriesFallback } from '../prometheus/pod-series';
import { graphNeighbours } from './graph-neighbours';

/** Most objects of one kind one analysis reads (the store's page size). */
const MAX_OBJECTS = 5000;
/** Log records per page, and pages at most, when only one instance's lines are wanted. */
const PAGE = 1000;
const MAX_PAGES = 5;

/** Optional sources a StoreContext falls back to. */
export interface StoreContextOptions {
  /**
   * The configured Prometheus: a pod's cAdvisor series (`container_*`, e.g. memory working set,
   * CFS throttling) the store has none of are read from it, marked `source: 'prometheus'`.
   */
  prometheus?: PromQLSource | undefined;
  /** Told when Prometheus fails; the analysis goes on without it (for logging). */
  onPrometheusError?: (err: PrometheusFailure) => void;
}

/**
 * The product's AnalysisContext: every read goes to the Store; topology comes from a shared
 * TopologySource (its graphs are cached for a few seconds). With a Prometheus in `options`, a
 * pod's cAdvisor series the store has none of come from it. Holds no state beyond whether
 * Prometheus failed during this run, so one instance per analysis run is cheap.
 */
export class StoreContext implements AnalysisContext {
  private readonly prometheus: PodSeriesFallback | undefined;

  constructor(
    private readonly store: Store,
    private readonly topology: TopologySource,
    readonly nowMs: number = Date.now(),
    options: StoreContextOptions = {},
  ) {
    this.prometheus = options.prometheus
      ? new PodSeriesFallback(options.prometheus, options.onPrometheusError)
      : undefined;
  }

  async object(ref: ResourceRef): Promise<ObjectSnapshot | undefined> {
    const snap = await this.store.getObject(ref);
    return snap && !snap.deleted ? snap : undefined;
  }

  objects(cluster: string, kind: string, namespace?: string): Promise<ObjectSnapshot[]> {
    return this.store.listObjects({ cluster, kind, limit: MAX_OBJECTS, ...(namespace ? { namespace } : {}) });
  }

  history(ref: ResourceRef, limit: number): Promise<ObjectSnapshot[]> {
    return this.store.objectHistory(ref, { limit: Math.min(Math.max(1, limit), 1000) });
  }

  events(ref: ResourceRef, sinceMs?: number): Promise<K8sEvent[]> {
    return this.store.listEvents({
      cluster: ref.cluster,
      kind: ref.kind,
      name: ref.name,
      limit: 100,
      ...(ref.namespace ? { namespace: ref.namespace } : {}),
      ...(sinceMs === undefined ? {} : { fromMs: sinceMs }),
    });
  }

  async podLogs(q: PodLogQuery): Promise<LogRecord[]> {
    const limit = Math.min(Math.max(1, q.limit), 1000);
    const wanted: LogRecord[] = [];
    let cursor: string | undefined;
    // One instance's lines may sit behind the other's: read older pages until enough are found.
    for (let page = 0; page < MAX_PAGES && wanted.length < limit; page++) {
      const result = await this.store.searchLogs({
        cluster: q.pod.cluster,
        pod: q.pod.name,
        limit: q.previous === undefined ? limit : PAGE,
        ...(q.pod.namespace ? { namespace: q.pod.namespace } : {}),
        ...(q.container ? { container: q.container } : {}),
        ...(cursor ? { cursor } : {}),
      });
      for (const l of result.records) {
        if (q.previous === undefined || (l.attributes['k8s.container.previous'] === true) === q.previous)
          wanted.push(l);
      }
      cursor = result.nextCursor;
      if (!cursor || q.previous === undefined) break;
    }
    return wanted.slice(0, limit);
  }

  async series(q: SeriesQuery): Promise<SeriesWindow[]> {
    const result = await this.store.querySeries({
      name: q.name,
      cluster: q.cluster,
      fromMs: q.fromMs,
      toMs: q.toMs,
      ...(q.namespace ? { namespace: q.namespace } : {}),
      ...(q.pod ? { pod: q.pod } : {}),
    });
    const stored = result.series.map((s) => ({
      name: s.series.name,
      labels: s.series.labels,
      points: s.points,
    }));
    return stored.length > 0 || !this.prometheus ? stored : this.prometheus.series(q);
  }

  anomalies(q: AnomalyWindow): Promise<Anomaly[]> {
    return this.store.listAnomalies({
      cluster: q.cluster,
      fromMs: q.fromMs,
      toMs: q.toMs,
      limit: 1000,
      ...(q.namespace ? { namespace: q.namespace } : {}),
    });
  }

  async spans(q: AnomalyWindow & { limit: number }): Promise<Span[]> {
    const out: Span[] = [];
    const seen = new Set<string>();
    let toMs = q.toMs;
    // Pages of the store's newest-first search, each ending where the last began; a span on the
    // boundary comes twice and is kept once.
    for (let page = 0; page < Math.ceil(q.limit / PAGE) + 1 && out.length < q.limit; page++) {
      const found = await this.store.searchSpans({
        cluster: q.cluster,
        fromMs: q.fromMs,
        toMs,
        limit: PAGE,
        ...(q.namespace ? { namespace: q.namespace } : {}),
      });
      for (const s of found) {
        const key = `${s.traceId}/${s.spanId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(s);
      }
      const oldest = found[found.length - 1];
      if (found.length < PAGE || !oldest || oldest.startMs + 1 >= toMs) break;
      toMs = oldest.startMs + 1;
    }
    return out.slice(0, q.limit);
  }

  async neighbours(ref: ResourceRef): Promise<{ dependsOn: Neighbour[]; dependents: Neighbour[] }> {
    return graphNeighbours(await this.topology.graph(ref.cluster, this.nowMs), ref);
  }
}
