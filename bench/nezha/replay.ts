/**
 * Replays a Nezha day through Sleuth as live traffic would arrive: every record becomes OTLP,
 * exports are cut every `batchMs` of the data's own clock (a collector's batch processor), each
 * goes through the product's receiver code (`ingestOtlp`) and then, in time order, through the
 * detectors the server runs, which are ticked with the signal clock after every batch (as the
 * DetectionRunner does). Spans are also written to the product's store, whose `serviceCalls`
 * gives the call graph the topology would hold.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Anomaly, SignalBatch } from '@sleuth/core';
import {
  DEFAULT_METRIC_DETECTOR_OPTIONS,
  LogTemplateDetector,
  MetricDetector,
  RedDetector,
  type Detector,
} from '@sleuth/detect';
import { ingestOtlp, keyValues, type JsonObject, type OtlpSignal } from '@sleuth/pipeline';
import { readCsv } from './csv';
import {
  FRONT_METRICS,
  POD_METRICS,
  otlpGauge,
  otlpLog,
  logTimeMs,
  otlpSpan,
  podResource,
  spanKinds,
  type LogRow,
  type TraceRow,
} from './translate';

/** One record on its way: when it was sent, to which resource, as what. */
interface Item {
  timeMs: number;
  signal: OtlpSignal;
  resource: Record<string, string>;
  resourceKey: string;
  record: JsonObject;
}

export interface ReplayResult {
  /** Every anomaly in its latest state (the store upserts by id). */
  anomalies: Anomaly[];
  /** When each anomaly was first reported, by id (signal clock, epoch ms). */
  reportedMs: Map<string, number>;
  /** Records as the receiver normalised them (what the store would hold). */
  spans: SignalBatch['spans'];
  metrics: SignalBatch['metrics'];
  logs: SignalBatch['logs'];
  counts: { spans: number; logs: number; metrics: number; rejected: number; batches: number };
}

function filesIn(dir: string, suffix: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(suffix))
        .sort()
        .map((f) => join(dir, f))
    : [];
}

/** The day's records as OTLP items, unsorted. `untilMs` leaves out what came after. */
export function loadItems(dayDir: string, untilMs = Infinity): Item[] {
  const items: Item[] = [];
  const traceRows = filesIn(join(dayDir, 'trace'), '_trace.csv').flatMap(
    (f) => readCsv(f) as unknown as TraceRow[],
  );
  const kinds = spanKinds(traceRows);
  for (const r of traceRows) {
    // A span is exported when it ends.
    const timeMs = Number(BigInt(r.EndTimeUnixNano) / 1_000_000n);
    const resource = podResource(r.PodName);
    items.push({
      timeMs,
      signal: 'traces',
      resource,
      resourceKey: r.PodName,
      record: otlpSpan(r, kinds.get(`${r.TraceID}/${r.SpanID}`) ?? 1),
    });
  }
  for (const f of filesIn(join(dayDir, 'log'), '_log.csv')) {
    for (const r of readCsv(f) as unknown as LogRow[]) {
      items.push({
        timeMs: logTimeMs(r),
        signal: 'logs',
        resource: { ...podResource(r.PodName, r.Node), 'k8s.container.name': r.Container },
        resourceKey: `${r.PodName}/${r.Container}`,
        record: otlpLog(r),
      });
    }
  }
  for (const f of filesIn(join(dayDir, 'metric'), '_metric.csv')) {
    const front = f.endsWith('front_service.csv');
    for (const row of readCsv(f)) {
      const timeMs = Number(row['TimeStamp']) * 1000;
      const specs = front ? FRONT_METRICS : POD_METRICS;
      const resource = front ? { 'service.name': 'frontend' } : podResource(row['PodName'] ?? '');
      for (const [column, spec] of Object.entries(specs)) {
        const cell = row[column];
        if (cell === undefined || cell === '') continue;
        const m = otlpGauge(spec, timeMs, Number(cell));
        if (m)
          items.push({
            timeMs,
            signal: 'metrics',
            resource,
            resourceKey: JSON.stringify(resource),
            record: m,
          });
      }
    }
  }
  return items.filter((i) => i.timeMs < untilMs);
}

/** One OTLP/JSON export request of one signal with the items of each resource. */
function request(signal: OtlpSignal, items: readonly Item[]): JsonObject {
  const byResource = new Map<string, Item[]>();
  for (const i of items) {
    const list = byResource.get(i.resourceKey);
    if (list) list.push(i);
    else byResource.set(i.resourceKey, [i]);
  }
  const resources = [...byResource.values()].map((list) => {
    const resource = { attributes: keyValues((list[0] as Item).resource) };
    const records = list.map((i) => i.record);
    const scope = { scope: { name: 'nezha-replay' } };
    if (signal === 'traces') return { resource, scopeSpans: [{ ...scope, spans: records }] };
    if (signal === 'logs') return { resource, scopeLogs: [{ ...scope, logRecords: records }] };
    return { resource, scopeMetrics: [{ ...scope, metrics: records }] };
  });
  const top = signal === 'traces' ? 'resourceSpans' : signal === 'logs' ? 'resourceLogs' : 'resourceMetrics';
  return { [top]: resources };
}

/** The detectors `sleuth serve` runs on telemetry, with the server's default settings. */
export function serverDetectors(): Detector[] {
  return [
    new MetricDetector(DEFAULT_METRIC_DETECTOR_OPTIONS),
    new RedDetector(),
    new LogTemplateDetector({}),
  ];
}

/**
 * Sends the items, in time order, through the receiver and the detectors; returns every
 * anomaly in its latest state and the normalised spans.
 */
export function replay(items: Item[], detectors: readonly Detector[], batchMs = 5_000): ReplayResult {
  items.sort((a, b) => a.timeMs - b.timeMs);
  const anomalies = new Map<string, Anomaly>();
  const reportedMs = new Map<string, number>();
  const spans: SignalBatch['spans'] = [];
  const metrics: SignalBatch['metrics'] = [];
  const logs: SignalBatch['logs'] = [];
  let clockMs = 0;
  const counts = { spans: 0, logs: 0, metrics: 0, rejected: 0, batches: 0 };
  const keep = (found: readonly Anomaly[]) => {
    for (const a of found) {
      anomalies.set(a.id, a);
      if (!reportedMs.has(a.id)) reportedMs.set(a.id, clockMs);
    }
  };
  let i = 0;
  while (i < items.length) {
    const first = items[i] as Item;
    const endMs = (Math.floor(first.timeMs / batchMs) + 1) * batchMs;
    const slice: Item[] = [];
    while (i < items.length && (items[i] as Item).timeMs < endMs) slice.push(items[i++] as Item);
    clockMs = endMs;
    for (const signal of ['metrics', 'traces', 'logs'] as const) {
      const of = slice.filter((s) => s.signal === signal);
      if (of.length === 0) continue;
      const body = Buffer.from(JSON.stringify(request(signal, of)));
      const { batch, rejected } = ingestOtlp(signal, 'json', body, {
        defaultCluster: 'nezha',
        redact: true,
        receivedMs: endMs,
      });
      counts.rejected += rejected;
      counts.spans += batch.spans.length;
      counts.logs += batch.logs.length;
      counts.metrics += batch.metrics.length;
      counts.batches++;
      for (const s of batch.spans) spans.push(s);
      for (const m of batch.metrics) metrics.push(m);
      for (const l of batch.logs) logs.push(l);
      for (const d of detectors) keep(d.observe(batch));
    }
    for (const d of detectors) keep(d.tick(endMs));
  }
  return { anomalies: [...anomalies.values()], reportedMs, spans, metrics, logs, counts };
}
