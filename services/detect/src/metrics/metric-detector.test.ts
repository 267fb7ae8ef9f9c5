import { emptyBatch, type Anomaly, type MetricPoint, seededRandom } from '@sleuth/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_METRIC_DETECTOR_OPTIONS, MetricDetector } from './metric-detector';

const T0 = Date.UTC(2026, 10, 1);
const STEP = 15_000;

function gauge(pod: string, i: number, value: number): MetricPoint {
  return {
    name: 'container_memory_working_set_bytes',
    labels: { cluster: 'prod', namespace: 'shop', pod, container: 'api' },
    source: { cluster: 'prod', namespace: 'shop', pod, container: 'api' },
    type: 'gauge',
    unit: 'By',
    timeMs: T0 + i * STEP,
    value,
  };
}

/** Memory around 200 MB with a slow wave and noise, as a healthy pod shows. */
function memory(i: number, r: () => number): number {
  return 200e6 + 20e6 * Math.sin((2 * Math.PI * i) / 240) + (r() - 0.5) * 8e6;
}

function feed(detector: MetricDetector, points: MetricPoint[]): Anomaly[] {
  const out: Anomaly[] = [];
  for (let k = 0; k < points.length; k += 100) {
    out.push(...detector.observe({ ...emptyBatch(), metrics: points.slice(k, k + 100) }));
  }
  return out;
}

describe('MetricDetector', () => {
  it('opens one anomaly on the leaking pod, with the series as evidence, and none on the healthy one', () => {
    const r = seededRandom(11);
    const points: MetricPoint[] = [];
    for (let i = 0; i < 1500; i++) {
      points.push(gauge('api-1', i, memory(i, r)));
      // api-2 starts leaking at point 1200, 10 MB a scrape (40 MB a minute, an OOM within
      // minutes): memory climbs past anything it has shown. (A leak slower than its own noise
      // is scored, but below the server's alarm levels: docs/detection.md, known gaps.)
      points.push(gauge('api-2', i, memory(i, r) + (i >= 1200 ? (i - 1200) * 10e6 : 0)));
    }
    const d = new MetricDetector();
    const out = feed(d, points);
    expect(out.filter((a) => a.resource.name === 'api-1')).toEqual([]);
    const leak = out.filter((a) => a.resource.name === 'api-2');
    expect(leak.length).toBeGreaterThan(0);
    const first = leak[0]!;
    expect(first.resource).toEqual({ cluster: 'prod', namespace: 'shop', kind: 'Pod', name: 'api-2' });
    expect(first.detector).toBe('metrics');
    expect(first.onsetMs).toBeGreaterThanOrEqual(T0 + 1200 * STEP);
    expect(first.onsetMs).toBeLessThan(T0 + 1260 * STEP);
    expect(first.signal).toMatchObject({ kind: 'series', name: 'container_memory_working_set_bytes' });
    expect(first.explanation).toMatch(/^Observed \d/);
    expect(first.title).toContain('outside its range');
    // However many updates, one episode keeps one id.
    expect(new Set(leak.map((a) => a.id)).size).toBe(1);
  });

  it('ends an anomaly after quiet points, once, with endMs', () => {
    const r = seededRandom(5);
    const points: MetricPoint[] = [];
    for (let i = 0; i < 1200; i++) points.push(gauge('api-1', i, i === 1000 ? 900e6 : memory(i, r)));
    const out = feed(new MetricDetector(), points);
    const ids = new Set(out.map((a) => a.id));
    expect(ids.size).toBe(1);
    const ended = out.filter((a) => a.endMs !== undefined);
    expect(ended).toHaveLength(1);
    expect(ended[0]!.endMs).toBe(T0 + (1000 + DEFAULT_METRIC_DETECTOR_OPTIONS.quietPoints) * STEP);
  });

  it('ends an anomaly once the series has settled at a new level, though it never went back', () => {
    // An OOM-killed JVM restarts at a third of its old memory and stays there: below anything the
    // series showed before, so never "back inside its old range".
    const r = seededRandom(6);
    const points: MetricPoint[] = [];
    for (let i = 0; i < 1400; i++) points.push(gauge('api-1', i, i < 1000 ? memory(i, r) : memory(i, r) / 3));
    const d = new MetricDetector();
    const out = feed(d, points);
    expect(new Set(out.map((a) => a.id)).size).toBe(1);
    const alarms = out.filter((a) => a.endMs === undefined);
    const ended = out.filter((a) => a.endMs !== undefined);
    expect(ended).toHaveLength(1);
    const lastAlarm = Math.max(...alarms.map((a) => a.lastSeenMs));
    expect(ended[0]!.endMs).toBe(lastAlarm + DEFAULT_METRIC_DETECTOR_OPTIONS.settleMs);
  });

  it('ends the anomaly of a series that stopped (its pod is gone) at its last point', () => {
    const r = seededRandom(8);
    const points: MetricPoint[] = [];
    for (let i = 0; i < 1002; i++) points.push(gauge('api-1', i, i >= 1000 ? 900e6 : memory(i, r)));
    const d = new MetricDetector();
    const out = feed(d, points);
    expect(out.filter((a) => a.endMs === undefined)).not.toEqual([]);
    const last = T0 + 1001 * STEP;
    expect(d.tick(last + DEFAULT_METRIC_DETECTOR_OPTIONS.staleMs - 1)).toEqual([]);
    const ended = d.tick(last + DEFAULT_METRIC_DETECTOR_OPTIONS.staleMs);
    expect(ended).toHaveLength(1);
    expect(ended[0]!.endMs).toBe(last);
    // Ended once: the series is still remembered (it may come back) but has nothing open.
    expect(d.tick(last + 2 * DEFAULT_METRIC_DETECTOR_OPTIONS.staleMs)).toEqual([]);
    expect(d.seriesCount).toBe(1);
  });

  it('scores counters as per-second rates, and skips resets and out-of-order points', () => {
    const r = seededRandom(9);
    const points: MetricPoint[] = [];
    let total = 0;
    for (let i = 0; i < 1200; i++) {
      // About 50 requests/s, then a surge to 400/s from point 1000.
      // The process restarts at point 700: its counter starts again from zero.
      if (i === 700) total = 0;
      total += (i >= 1000 ? 400 : 50 + (r() - 0.5) * 10) * (STEP / 1000);
      points.push({
        ...gauge('api-1', i, total),
        name: 'http_requests_total',
        type: 'counter',
        unit: '1',
      });
    }
    points.splice(500, 0, { ...points[400]! });
    const d = new MetricDetector();
    const out = feed(d, points);
    expect(d.skipped.outOfOrder).toBe(1);
    expect(d.skipped.counterReset).toBe(1);
    expect(out).not.toEqual([]);
    expect(out[0]!.onsetMs).toBeGreaterThanOrEqual(T0 + 1000 * STEP);
    expect(out[0]!.title).toContain('per-second rate');
  });

  it('forgets idle series on tick, and counts points beyond the series limit', () => {
    const d = new MetricDetector({ ...DEFAULT_METRIC_DETECTOR_OPTIONS, maxSeries: 2 });
    feed(d, [gauge('a', 0, 1), gauge('b', 0, 1), gauge('c', 0, 1)]);
    expect(d.seriesCount).toBe(2);
    expect(d.skipped.seriesLimit).toBe(1);
    d.tick(T0 + DEFAULT_METRIC_DETECTOR_OPTIONS.idleMs + 1);
    expect(d.seriesCount).toBe(0);
    feed(d, [gauge('c', 1, 1)]);
    expect(d.seriesCount).toBe(1);
  });

  it('reports a busy counter that stops counting, not one whose rate holds steady', () => {
    const r = seededRandom(4);
    const points: MetricPoint[] = [];
    let busy = 0;
    let steady = 0;
    for (let i = 0; i < 1000; i++) {
      // Busy traffic, stopping dead at point 800.
      if (i < 800) busy += Math.round(30 + r() * 40);
      // A poller: exactly one request a scrape, with the odd extra one early on.
      steady += i < 400 && r() < 0.3 ? 2 : 1;
      const counter = { type: 'counter' as const, name: 'http_requests_total', unit: '1' };
      points.push({ ...gauge('busy', i, busy), ...counter }, { ...gauge('poller', i, steady), ...counter });
    }
    const out = feed(new MetricDetector(), points);
    const flat = out.filter((a) => a.title.includes('flat line'));
    expect(flat.map((a) => a.resource.name)).toEqual(['busy']);
    expect(flat[0]!.onsetMs).toBeLessThan(T0 + 830 * STEP);
  });

  it('skips histogram buckets and _sum series, and scores _count as a rate', () => {
    const d = new MetricDetector();
    const base = gauge('api-1', 0, 1);
    feed(d, [
      {
        ...base,
        name: 'http_server_duration_seconds_bucket',
        type: 'histogram',
        labels: { ...base.labels, le: '0.1' },
      },
      { ...base, name: 'http_server_duration_seconds_sum', type: 'counter' },
      { ...base, name: 'http_server_duration_seconds_count', type: 'counter' },
    ]);
    expect(d.skipped.histogramPart).toBe(2);
    expect(d.seriesCount).toBe(1);
  });

  it("leaves kube-state-metrics' object state to the k8s-state detector: a rollout moves it all", () => {
    const d = new MetricDetector();
    const base = gauge('api-1', 0, 1);
    feed(d, [
      { ...base, name: 'kube_pod_status_ready' },
      { ...base, name: 'kube_deployment_status_replicas_unavailable' },
      { ...base, name: 'container_memory_working_set_bytes' },
    ]);
    expect(d.skipped.objectState).toBe(2);
    expect(d.seriesCount).toBe(1);
  });

  it('tells apart series whose labels share values under different keys, whatever the label order', () => {
    const d = new MetricDetector();
    const base = gauge('api-1', 0, 1);
    const point = (labels: Record<string, string>, i: number): MetricPoint => ({
      ...base,
      labels,
      timeMs: T0 + i * STEP,
    });
    feed(d, [point({ a: 'x', b: 'y' }, 0), point({ c: 'x', b: 'y' }, 0), point({ b: 'y', a: 'x' }, 1)]);
    // {a,b} and {b,a} are one series (its second point is in order); {c,b} is another.
    expect(d.seriesCount).toBe(2);
    expect(d.skipped.outOfOrder).toBe(0);
    feed(d, [point({ b: 'y', a: 'x' }, 1)]);
    expect(d.skipped.outOfOrder).toBe(1);
  });
});
