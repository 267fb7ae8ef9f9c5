import type { SeriesQuery, SeriesWindow } from '../analyzers/analyzer';
import type { PromQLSource } from './source';
import { isPrometheusFailure, type PrometheusFailure } from './errors';

/**
 * cAdvisor's per-container metrics (`container_memory_working_set_bytes`,
 * `container_cpu_cfs_periods_total`, …): wherever Prometheus scrapes the kubelet they carry
 * `namespace`, `pod` and `container` labels, so a pod's series can be selected without guessing.
 */
const CADVISOR = /^container_[a-z0-9_]+$/;

/** A label value as a PromQL string literal. */
const quote = (v: string): string => JSON.stringify(v);

/**
 * The PromQL selector of one pod's containers for a cAdvisor metric, or undefined when the query
 * is not one this can answer: another metric, no pod or namespace, or a cluster the Prometheus
 * does not watch. With `prometheus.cluster` set only that cluster is served (its series need no
 * cluster label); without it, series are matched on their `cluster` label. The pod-level
 * aggregate (`container=""`) and the pause container (`POD`) are left out.
 */
export function podSeriesSelector(q: SeriesQuery, watched: string | undefined): string | undefined {
  if (!CADVISOR.test(q.name) || !q.pod || !q.namespace) return undefined;
  if (watched !== undefined && watched !== q.cluster) return undefined;
  const matchers = [
    ...(watched === undefined ? [`cluster=${quote(q.cluster)}`] : []),
    `namespace=${quote(q.namespace)}`,
    `pod=${quote(q.pod)}`,
    'container!=""',
    'container!="POD"',
  ];
  return `${q.name}{${matchers.join(',')}}`;
}

/**
 * Reads a pod's cAdvisor series from Prometheus for an analysis whose store holds none: the raw
 * samples in [fromMs, toMs) (an instant query of a range selector at `toMs`, so timestamps are
 * the scrapes' own, not a step's), each window marked `source: 'prometheus'` with Prometheus's
 * labels. A Prometheus that fails (unreachable, timeout, an error) is reported to `onError` once
 * and not asked again by this instance: one analysis run does not wait on it pod after pod.
 */
export class PodSeriesFallback {
  private failed = false;

  constructor(
    private readonly source: PromQLSource,
    private readonly onError?: (err: PrometheusFailure) => void,
  ) {}

  async series(q: SeriesQuery): Promise<SeriesWindow[]> {
    const selector = podSeriesSelector(q, this.source.cluster);
    if (!selector || this.failed || q.toMs <= q.fromMs) return [];
    try {
      const range = `[${q.toMs - q.fromMs}ms]`;
      const result = await this.source.query(`${selector}${range}`, { timeMs: q.toMs });
      return result.series
        .map((s) => ({
          name: s.labels['__name__'] ?? q.name,
          labels: Object.fromEntries(Object.entries(s.labels).filter(([k]) => k !== '__name__')),
          points: s.points.filter(([t, v]) => t >= q.fromMs && t < q.toMs && Number.isFinite(v)),
          source: 'prometheus' as const,
        }))
        .filter((s) => s.points.length > 0);
    } catch (err) {
      if (!isPrometheusFailure(err)) throw err;
      this.failed = true;
      this.onError?.(err);
      return [];
    }
  }
}
