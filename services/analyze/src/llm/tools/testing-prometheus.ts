import type { PromQLSource, PromQueryResult, PromSeries } from '../../prometheus/source';
import type { PrometheusFailure } from '../../prometheus/errors';
import { CART_POD, CART_POD_2, MIN, NOW } from './testing-objects';

/** Working-set memory of the cart pods over the last hour, one sample a minute (cAdvisor labels). */
export function cartMemory(): PromSeries[] {
  return [CART_POD, CART_POD_2].map((pod, p) => ({
    labels: {
      __name__: 'container_memory_working_set_bytes',
      namespace: 'shop',
      pod: pod.name,
      container: 'cart',
      job: 'kubelet',
    },
    points: Array.from({ length: 61 }, (_, i): [number, number] => [
      NOW - (60 - i) * MIN,
      (200 + p * 50 + i) * 2 ** 20,
    ]),
  }));
}

/**
 * A stand-in for a Prometheus in unit tests: a query selects the held series whose `__name__` it
 * starts with (no PromQL is evaluated), a range (or a trailing `[Nms]` selector) keeps the points
 * within it, an instant query the latest, and `fail` makes every call throw. The real client against a real Prometheus is tested in test/prometheus-client.test.ts.
 */
export function fakePrometheus(
  held: PromSeries[] = cartMemory(),
  opts: { cluster?: string; fail?: PrometheusFailure } = {},
): PromQLSource & { queries: string[] } {
  const queries: string[] = [];
  const select = (promql: string, fromMs: number, toMs: number): PromQueryResult => {
    queries.push(promql);
    if (opts.fail) throw opts.fail;
    const name = /^[a-zA-Z_:][\w:]*/.exec(promql)?.[0];
    const series = held
      .filter((s) => s.labels['__name__'] === name)
      .map((s) => ({ ...s, points: s.points.filter(([t]) => t >= fromMs && t <= toMs) }));
    return { resultType: 'matrix', series, truncated: false, notes: [], warnings: [] };
  };
  /** Runs `f` asynchronously, so a failure rejects as the real client's does. */
  const later = <T>(f: () => T): Promise<T> => Promise.resolve().then(f);
  return {
    cluster: opts.cluster,
    queries,
    query: (promql, at = {}) =>
      later(() => {
        const t = at.timeMs ?? NOW;
        // A range selector (`…[300000ms]`) answers its raw samples; anything else the latest one.
        const range = /\[(\d+)ms\]$/.exec(promql)?.[1];
        if (range) return select(promql, t - Number(range) + 1, t);
        const r = select(promql, t - 5 * MIN, t);
        const series = r.series.map((s) => ({ ...s, points: s.points.slice(-1) }));
        return { ...r, resultType: 'vector' as const, series };
      }),
    queryRange: (promql, range) =>
      later(() => ({ ...select(promql, range.startMs, range.endMs), stepMs: range.stepMs })),
    series: () => later(() => ({ series: [], truncated: false, notes: [], warnings: [] })),
  };
}
