/**
 * Alert webhooks: how many alerts per second the Alertmanager receiver accepts (new ones, and the
 * repeats Alertmanager sends in every group notification), and how long from a webhook to a
 * diagnosed incident, on a real server over HTTP. The floor is a bare store insert of the same
 * alerts in the same run.
 *
 *   npm run bench -- alerts [--alerts 20000] [--batch 100] [--concurrency 4] [--samples 20]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, emptyBatch, loadConfig, type Alert } from '@sleuth/core';
import { SqliteStore } from '@sleuth/store';
import { startServer, type RunningServer } from '@sleuth/server';
import { alertmanagerPayload, checkoutWorkload, type AmAlertInput } from '../test/support/alerts';
import { flags, percentile, recordInDocs, round } from './support';

const TOKEN = 'bench-token-0123456789';
const CLUSTER = 'bench';
const WORKLOADS = 50;
const PODS = 3;

function alertsFor(n: number, startsAt: string, prefix: string): AmAlertInput[] {
  return Array.from({ length: n }, (_, i) => ({
    labels: {
      alertname: `Bench${i % 7}`,
      severity: i % 5 === 0 ? 'critical' : 'warning',
      namespace: 'shop',
      pod: `svc${i % WORKLOADS}-5d8f-p${(i % PODS) + 1}`,
      container: `c${i}`,
    },
    annotations: { summary: `alert ${i}`, description: 'benchmark alert' },
    startsAt,
    fingerprint: `${prefix}${i.toString(16).padStart(12, '0')}`,
  }));
}

/** Posts deliveries with `concurrency` in flight; 429s are retried after their Retry-After. */
async function drive(
  url: string,
  bodies: string[],
  concurrency: number,
): Promise<{ seconds: number; latencies: number[]; throttled: number }> {
  const latencies: number[] = [];
  let throttled = 0;
  let next = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++] ?? '';
      for (;;) {
        const s = performance.now();
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body,
        });
        await res.text();
        if (res.status === 429) {
          throttled++;
          await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? '1') * 1000));
          continue;
        }
        if (res.status !== 200) throw new Error(`delivery answered ${res.status}`);
        latencies.push(performance.now() - s);
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { seconds: (performance.now() - t0) / 1000, latencies: latencies.sort((a, b) => a - b), throttled };
}

async function storeFloor(alerts: Alert[], batch: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'sleuth-bench-alerts-floor-'));
  const store = new SqliteStore({ path: join(dir, 'f.db'), synchronous: 'normal', writeThread: true });
  await store.start();
  try {
    const t0 = performance.now();
    for (let i = 0; i < alerts.length; i += batch) await store.putAlerts(alerts.slice(i, i + batch));
    return alerts.length / ((performance.now() - t0) / 1000);
  } finally {
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sequential single-alert deliveries on quiet workloads: webhook sent → incident with a root cause written. */
async function toDiagnosis(server: RunningServer, url: string, samples: number): Promise<number[]> {
  const times: number[] = [];
  for (let k = 0; k < samples; k++) {
    const workload = `quiet${k}`;
    await server.store.writeBatch({
      ...emptyBatch(),
      objects: checkoutWorkload(CLUSTER, Date.now() - 60_000, 1, workload),
    });
    const body = JSON.stringify(
      alertmanagerPayload([
        {
          labels: { alertname: 'Latency', severity: 'critical', namespace: 'shop', deployment: workload },
          startsAt: new Date().toISOString(),
          fingerprint: `lat${k}`,
        },
      ]),
    );
    const t0 = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body,
    });
    const { alerts } = (await res.json()) as { alerts: { id: string }[] };
    const id = alerts[0]?.id ?? '';
    for (;;) {
      const [a] = await server.store.getAlerts([id]);
      const inc = a?.incidentId ? await server.store.getIncident(a.incidentId) : undefined;
      if (inc && inc.rootCauses.length > 0) break;
      if (performance.now() - t0 > 30_000) throw new Error(`alert ${id} was not diagnosed within 30 s`);
      await new Promise((r) => setTimeout(r, 2));
    }
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const f = flags(args);
  const total = Number(f['alerts'] ?? 20_000);
  const batch = Number(f['batch'] ?? 100);
  const concurrency = Number(f['concurrency'] ?? 4);
  const samples = Number(f['samples'] ?? 20);
  const dir = mkdtempSync(join(tmpdir(), 'sleuth-bench-alerts-'));
  const config = loadConfig({
    env: {},
    overrides: {
      'server.port': 0,
      'store.dataDir': dir,
      'simulator.mode': 'off',
      'auth.enabled': false,
      'kubernetes.mode': 'off',
      'detect.enabled': false,
      'log.level': 'warn',
      'alerts.receivers': [{ name: 'am', source: 'alertmanager', cluster: CLUSTER, bearerToken: TOKEN }],
    },
  });
  const server = await startServer(config, createLogger('warn'));
  try {
    for (let w = 0; w < WORKLOADS; w++) {
      await server.store.writeBatch({
        ...emptyBatch(),
        objects: checkoutWorkload(CLUSTER, Date.now() - 60_000, PODS, `svc${w}`),
      });
    }
    const url = `${server.url}/api/v1/alerts/am`;
    const startsAt = new Date().toISOString();
    const inputs = alertsFor(total, startsAt, 'fp');
    const bodies: string[] = [];
    for (let i = 0; i < total; i += batch) {
      bodies.push(
        JSON.stringify(
          alertmanagerPayload(inputs.slice(i, i + batch), { groupLabels: {}, groupKey: '{}:{}' }),
        ),
      );
    }
    const fresh = await drive(url, bodies, concurrency);
    // Correlation runs behind the answers: wait for every alert to be in an incident.
    const t0 = performance.now();
    for (;;) {
      const metrics = await fetch(`${server.url}/metrics`).then((r) => r.text());
      if (/^sleuth_alerts_pending 0$/m.test(metrics)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const correlatedAfterS = (performance.now() - t0) / 1000;
    const repeats = await drive(url, bodies, concurrency);
    const diagnosis = await toDiagnosis(server, url, samples);
    const floorAlerts = (await server.store.listAlerts({ limit: 1000 })).map((a, i) => ({
      ...a,
      id: `alt_floor${i}`,
    }));
    const many: Alert[] = [];
    for (let r = 0; many.length < total; r++)
      many.push(...floorAlerts.map((a) => ({ ...a, id: `${a.id}_${r}` })));
    const floor = await storeFloor(many.slice(0, total), batch);
    const incidents = (await server.store.stats()).counts.incidents;

    const figures = {
      alerts: total,
      alerts_per_delivery: batch,
      concurrency,
      new_alerts_per_s: Math.round(total / fresh.seconds),
      delivery_p50_ms: round(percentile(fresh.latencies, 50)),
      delivery_p99_ms: round(percentile(fresh.latencies, 99)),
      throttled_429: fresh.throttled,
      correlation_backlog_s: round(correlatedAfterS, 2),
      repeat_alerts_per_s: Math.round(total / repeats.seconds),
      store_floor_alerts_per_s: Math.round(floor),
      incidents,
      webhook_to_diagnosis_p50_ms: round(percentile(diagnosis, 50)),
      webhook_to_diagnosis_p95_ms: round(percentile(diagnosis, 95)),
      webhook_to_diagnosis_max_ms: round(diagnosis.at(-1) ?? NaN),
    };
    const body = [
      `${total} new alerts on ${WORKLOADS} workloads × ${PODS} pods, in Alertmanager deliveries of ${batch}, ${concurrency} in flight, over HTTP to a server with the store's writer thread; then the same deliveries again (Alertmanager repeats a group's alerts in each notification); then ${samples} single alerts on quiet workloads, one at a time, timed from sending the webhook to the incident written with a root cause.`,
      '',
      '| Figure | Value |',
      '| --- | --- |',
      `| New alerts accepted | ${figures.new_alerts_per_s} alerts/s (delivery p50 ${figures.delivery_p50_ms} ms, p99 ${figures.delivery_p99_ms} ms, ${fresh.throttled} answered 429) |`,
      `| Correlation behind the answers | all ${total} in incidents ${figures.correlation_backlog_s} s after the last 200; ${incidents} incidents |`,
      `| Repeated alerts (duplicates) | ${figures.repeat_alerts_per_s} alerts/s |`,
      `| Floor: bare \`putAlerts\` of the same number of alerts, batches of ${batch} | ${figures.store_floor_alerts_per_s} alerts/s |`,
      `| Webhook → diagnosed incident | p50 ${figures.webhook_to_diagnosis_p50_ms} ms, p95 ${figures.webhook_to_diagnosis_p95_ms} ms, max ${figures.webhook_to_diagnosis_max_ms} ms |`,
      '',
      'The data README lists no published figure for alert intake to compare with. For scale: Alertmanager sends a group at most every group_interval (5 minutes by default), so a fleet of thousands of firing alerts sends a few deliveries per second.',
    ].join('\n');
    for (const line of body.split('\n')) process.stdout.write(`${line}\n`);
    recordInDocs('alerts', `npm run bench -- alerts ${args.join(' ')}`.trim(), body);
    return figures;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
