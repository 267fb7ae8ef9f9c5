import { msToNanos } from '@sleuth/core';
import { keyValues } from '../otlp/attributes';
import type { PendingMetric, ResourceAttrs } from '../otlp/requests';

/** Identifies one metric of one resource; `attrs` are the data point attributes (labels). */
export interface SeriesKey {
  resource: ResourceAttrs;
  name: string;
  attrs?: Readonly<Record<string, string>>;
}

/** Static facts of a metric: unit (UCUM) and help text. */
export interface MetricInfo {
  unit: string;
  description: string;
}

interface SeriesBase {
  key: SeriesKey;
  info: MetricInfo;
  touched: boolean;
  /** Counters kept by the process itself start over when the process restarts. */
  processScoped: boolean;
  startMs: number;
}

type Series =
  | (SeriesBase & { type: 'gauge' | 'counter'; value: number })
  | (SeriesBase & {
      type: 'histogram';
      bounds: readonly number[];
      counts: number[];
      sum: number;
      count: number;
    });

interface ResourceEntry {
  resource: ResourceAttrs;
  series: Map<string, Series>;
}

/**
 * Holds every metric series the simulated exporters expose, Prometheus style: counters and
 * histograms are cumulative from `startMs`; a series is exported at a scrape only if it was set
 * or touched since the previous scrape (a stopped container's series vanish, as they would).
 */
export class SeriesRegistry {
  private readonly resources = new Map<string, ResourceEntry>();

  constructor(private readonly scope: string) {}

  /** Sets a gauge. */
  gauge(key: SeriesKey, info: MetricInfo, value: number): void {
    const s = this.get(key, info, () => ({ type: 'gauge', value: 0 }), false, 0);
    if (s.type !== 'histogram') s.value = value;
    s.touched = true;
  }

  /**
   * Adds to a counter counting since `startMs`. A `processScoped` counter belongs to a process
   * and starts over from zero when a later `startMs` is given (the container restarted).
   */
  add(key: SeriesKey, info: MetricInfo, delta: number, startMs: number, processScoped = false): void {
    const s = this.get(key, info, () => ({ type: 'counter', value: 0 }), processScoped, startMs);
    if (processScoped) this.restartIfNewer(s, startMs);
    if (s.type !== 'histogram') s.value += delta;
    s.touched = true;
  }

  /** Sets a cumulative counter whose total is known (kube-state-metrics' restart counts). */
  setCounter(key: SeriesKey, info: MetricInfo, total: number, startMs: number): void {
    const s = this.get(key, info, () => ({ type: 'counter', value: 0 }), false, startMs);
    if (s.type !== 'histogram') s.value = total;
    s.touched = true;
  }

  /** Records one observation in a histogram kept by a process. */
  observe(
    key: SeriesKey,
    info: MetricInfo,
    bounds: readonly number[],
    value: number,
    processStartMs: number,
  ): void {
    const s = this.get(
      key,
      info,
      () => ({
        type: 'histogram',
        bounds,
        counts: new Array<number>(bounds.length + 1).fill(0),
        sum: 0,
        count: 0,
      }),
      true,
      processStartMs,
    );
    this.restartIfNewer(s, processStartMs);
    if (s.type !== 'histogram') return;
    let i = s.bounds.findIndex((b) => value <= b);
    if (i < 0) i = s.bounds.length;
    s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += value;
    s.count++;
    s.touched = true;
  }

  /** Marks every series of a resource as scraped (the process is up), restarting process counters if needed. */
  touchResource(resource: ResourceAttrs, processStartMs: number): void {
    const entry = this.resources.get(JSON.stringify(resource));
    if (!entry) return;
    for (const s of entry.series.values()) {
      if (!s.processScoped) continue;
      this.restartIfNewer(s, processStartMs);
      s.touched = true;
    }
  }

  /** Forgets every series of a resource (the pod is gone). */
  dropResource(resource: ResourceAttrs): void {
    this.resources.delete(JSON.stringify(resource));
  }

  /** Data points of every series touched since the last scrape, stamped `atMs`; clears the marks. */
  scrape(atMs: number): PendingMetric[] {
    const out: PendingMetric[] = [];
    const time = msToNanos(atMs);
    for (const entry of this.resources.values()) {
      for (const s of entry.series.values()) {
        if (!s.touched) continue;
        s.touched = false;
        const base = { resource: entry.resource, scope: this.scope, name: s.key.name, ...s.info };
        const attributes = keyValues(s.key.attrs ?? {});
        if (s.type === 'histogram') {
          out.push({
            ...base,
            type: 'histogram',
            point: {
              attributes,
              startTimeUnixNano: msToNanos(s.startMs),
              timeUnixNano: time,
              count: String(s.count),
              sum: s.sum,
              bucketCounts: s.counts.map(String),
              explicitBounds: [...s.bounds],
            },
          });
        } else if (s.type === 'counter') {
          out.push({
            ...base,
            type: 'counter',
            point: {
              attributes,
              startTimeUnixNano: msToNanos(s.startMs),
              timeUnixNano: time,
              asDouble: s.value,
            },
          });
        } else {
          out.push({ ...base, type: 'gauge', point: { attributes, timeUnixNano: time, asDouble: s.value } });
        }
      }
    }
    return out;
  }

  /** Number of series currently held. */
  size(): number {
    let n = 0;
    for (const entry of this.resources.values()) n += entry.series.size;
    return n;
  }

  private restartIfNewer(s: Series, processStartMs: number): void {
    if (processStartMs <= s.startMs) return;
    s.startMs = processStartMs;
    if (s.type === 'histogram') {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    } else s.value = 0;
  }

  private get(
    key: SeriesKey,
    info: MetricInfo,
    init: () =>
      | { type: 'gauge' | 'counter'; value: number }
      | { type: 'histogram'; bounds: readonly number[]; counts: number[]; sum: number; count: number },
    processScoped: boolean,
    startMs: number,
  ): Series {
    const rk = JSON.stringify(key.resource);
    let entry = this.resources.get(rk);
    if (!entry) {
      entry = { resource: key.resource, series: new Map() };
      this.resources.set(rk, entry);
    }
    const sk = `${key.name}|${JSON.stringify(key.attrs ?? {})}`;
    let s = entry.series.get(sk);
    if (!s) {
      s = { key, info, touched: false, processScoped, startMs, ...init() };
      entry.series.set(sk, s);
    }
    return s;
  }
}
