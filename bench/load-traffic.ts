/**
 * The three kinds of traffic the load benchmark offers a Sleuth server at once, and the open-loop
 * driver that offers each at a fixed rate: OTLP/HTTP protobuf log batches, queries (log search,
 * series list, incident list) and Alertmanager webhooks.
 */
import { emptyBatch, type LogRecord, type SignalBatch } from '@sleuth/core';
import { encodeOtlpRequest } from '@sleuth/pipeline';
import { alertmanagerPayload } from '../test/support/alerts';
import { NAMESPACES } from './log-corpus';
import { percentile } from './support';
import { stamped, timeOffsets, type Payload } from './restamp';

/** One answered (or failed) request: its HTTP status (0: no answer), units it carried, latency. */
export interface Outcome {
  status: number;
  units: number;
  ms: number;
}

/** A kind of traffic: `send` makes one request and reports how it went. */
export interface Traffic {
  kind: 'ingest' | 'query' | 'webhook';
  /** What `units` count: records, queries or webhooks. */
  unit: string;
  /** Units one request carries. */
  unitsPerRequest: number;
  send(): Promise<Outcome>;
}

/** What one traffic kind did during one step. */
export interface StepStats {
  offeredPerS: number;
  acceptedPerS: number;
  requests: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  share429: number;
  shareOtherErrors: number;
  /** Requests not sent because `maxInFlight` were still waiting: the server fell behind. */
  shareNotSent: number;
}

/**
 * Offers `ratePerS` units per second for `seconds`, open loop: requests start on schedule whether
 * or not earlier ones have been answered (as independent senders do), at most `maxInFlight` at
 * once. Latency percentiles are over requests answered 200.
 */
export async function offer(
  traffic: Traffic,
  ratePerS: number,
  seconds: number,
  maxInFlight: number,
): Promise<StepStats> {
  const requestsPerS = ratePerS / traffic.unitsPerRequest;
  const latencies: number[] = [];
  let scheduled = 0;
  let inFlight = 0;
  let notSent = 0;
  let accepted = 0;
  let throttled = 0;
  let failed = 0;
  const running = new Set<Promise<void>>();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - t0) / 1000) * requestsPerS);
    for (; scheduled < due; scheduled++) {
      if (inFlight >= maxInFlight) {
        notSent++;
        continue;
      }
      inFlight++;
      const p = traffic.send().then((o) => {
        inFlight--;
        if (o.status === 200) {
          accepted += o.units;
          latencies.push(o.ms);
        } else if (o.status === 429) throttled++;
        else failed++;
      });
      running.add(p);
      void p.finally(() => running.delete(p));
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(running);
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const total = Math.max(scheduled, 1);
  return {
    offeredPerS: ratePerS,
    acceptedPerS: accepted / elapsed,
    requests: scheduled - notSent,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    share429: throttled / total,
    shareOtherErrors: failed / total,
    shareNotSent: notSent / total,
  };
}

async function timed(units: number, request: () => Promise<Response>): Promise<Outcome> {
  const t0 = performance.now();
  try {
    const res = await request();
    await res.arrayBuffer();
    return { status: res.status, units, ms: performance.now() - t0 };
  } catch {
    return { status: 0, units, ms: performance.now() - t0 };
  }
}

const SEVERITY_NUMBER = { info: 9, warn: 13, error: 17 } as const;

/**
 * OTLP log ingest: `variants` requests of `batch` records (bodies from `bodies`, 12 namespaces,
 * 7 workloads, 2 clusters), each restamped to the current second when sent. Also returns the same
 * records as store batches, for the floor.
 */
export function ingestTraffic(
  url: string,
  bodies: string[],
  batch: number,
  variants = 40,
): { traffic: Traffic; batches: SignalBatch[] } {
  const payloads: Payload[] = [];
  const batches: SignalBatch[] = [];
  let k = 0;
  for (let v = 0; v < variants; v++) {
    const w = `api-${v % 7}`;
    const source = {
      cluster: v % 2 === 0 ? 'prod-eu' : 'prod-us',
      namespace: NAMESPACES[v % NAMESPACES.length] ?? 'shop',
      workload: w,
      workloadKind: 'Deployment',
      pod: `${w}-5d8f7c9b4-${(v * 7919).toString(36).slice(-5)}`,
      container: 'app',
      service: w,
    };
    const t0 = BigInt(Date.now()) * 1_000_000n;
    const nanos: bigint[] = [];
    const records: LogRecord[] = [];
    for (let i = 0; i < batch; i++) {
      const body = bodies[k++ % bodies.length] ?? '';
      const severity = body.includes('ERROR') ? 'error' : body.includes('warn') ? 'warn' : 'info';
      nanos.push(t0 + BigInt(v * batch + i + 1));
      records.push({ timeMs: 0, source, severity, body, attributes: { 'log.iostream': 'stdout' } });
    }
    const bytes = Buffer.from(
      encodeOtlpRequest('logs', {
        resourceLogs: [
          {
            resource: {
              attributes: [
                { key: 'k8s.cluster.name', value: { stringValue: source.cluster } },
                { key: 'k8s.namespace.name', value: { stringValue: source.namespace } },
                { key: 'k8s.deployment.name', value: { stringValue: w } },
                { key: 'k8s.pod.name', value: { stringValue: source.pod } },
                { key: 'k8s.container.name', value: { stringValue: 'app' } },
                { key: 'service.name', value: { stringValue: w } },
              ],
            },
            scopeLogs: [
              {
                logRecords: records.map((r, i) => ({
                  timeUnixNano: `${nanos[i] ?? 0n}`,
                  severityNumber: SEVERITY_NUMBER[r.severity as keyof typeof SEVERITY_NUMBER],
                  body: { stringValue: r.body },
                  attributes: [{ key: 'log.iostream', value: { stringValue: 'stdout' } }],
                })),
              },
            ],
          },
        ],
      }),
    );
    payloads.push({ bytes, timeOffsets: timeOffsets(bytes, nanos) });
    const b = emptyBatch();
    b.logs.push(...records);
    batches.push(b);
  }
  let next = 0;
  return {
    batches,
    traffic: {
      kind: 'ingest',
      unit: 'records',
      unitsPerRequest: batch,
      send: () => {
        const payload = payloads[next++ % payloads.length];
        if (!payload) throw new Error('no payloads');
        const body = stamped(payload);
        return timed(batch, () =>
          fetch(`${url}/v1/logs`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-protobuf' },
            body,
          }),
        );
      },
    },
  };
}

/** The read API as a UI and an investigating agent use it: search, series list, incidents, in turn. */
export function queryTraffic(url: string): Traffic {
  const terms = ['declined', 'timeout', 'postgres', 'slow', 'checkout', 'worker'];
  let next = 0;
  return {
    kind: 'query',
    unit: 'queries',
    unitsPerRequest: 1,
    send: () => {
      const n = next++;
      const term = terms[Math.floor(n / 3) % terms.length] ?? 'error';
      const namespace = NAMESPACES[n % NAMESPACES.length] ?? 'shop';
      const path = [
        `/api/v1/logs?q=${term}&namespace=${namespace}&from=now-5m&limit=100`,
        `/api/v1/series?from=now-15m&limit=1000`,
        `/api/v1/incidents?limit=50`,
      ][n % 3];
      return timed(1, () => fetch(`${url}${path ?? '/healthz'}`));
    },
  };
}

/**
 * Alertmanager group notifications of `alertsPerWebhook` alerts over 50 workloads: new alerts
 * until `distinct` fingerprints were sent, then repeats of them (as Alertmanager re-sends).
 */
export function webhookTraffic(
  url: string,
  token: string,
  alertsPerWebhook: number,
  distinct = 2000,
): Traffic {
  const startsAt = new Date().toISOString();
  let next = 0;
  return {
    kind: 'webhook',
    unit: 'webhooks',
    unitsPerRequest: 1,
    send: () => {
      const alerts = Array.from({ length: alertsPerWebhook }, () => {
        const i = next++ % distinct;
        return {
          labels: {
            alertname: `Load${i % 7}`,
            severity: i % 5 === 0 ? 'critical' : 'warning',
            namespace: NAMESPACES[i % NAMESPACES.length] ?? 'shop',
            pod: `svc${i % 50}-5d8f-p${(i % 3) + 1}`,
            container: `c${i}`,
          },
          annotations: { summary: `load alert ${i}` },
          startsAt,
          fingerprint: `ld${i.toString(16).padStart(14, '0')}`,
        };
      });
      const body = JSON.stringify(
        alertmanagerPayload(alerts, { groupKey: `{}:{alertname="Load${next % 7}"}` }),
      );
      return timed(1, () =>
        fetch(`${url}/api/v1/alerts/am`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body,
        }),
      );
    },
  };
}
