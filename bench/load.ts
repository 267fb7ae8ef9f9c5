/**
 * Mixed load until saturation: OTLP log ingest, queries and Alertmanager webhooks offered at once
 * to `sleuth serve` in its own process, from this (second) process. Each step multiplies the
 * offered rates by `--factor`; the ramp stops at the first step that saturates (429s or errors
 * on over 1% of a kind's requests, under 90% of an offered rate accepted, or a p99 beyond
 * 2 s). Reports per kind the sustained accepted rate and latency of the last step that held,
 * the step that broke, the server's memory, and the floor: the store alone writing the same rows
 * in the same run.
 *
 *   npm run bench -- load [--step-seconds 8] [--steps 7] [--factor 2]
 *     [--ingest 10000] [--queries 5] [--webhooks 2] [--batch 1000] [--alerts 10]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyBatch, type SignalBatch } from '@sleuth/core';
import { SqliteStore } from '@sleuth/store';
import { exited, spawnSleuth } from '../test/support/process';
import {
  ingestTraffic,
  offer,
  queryTraffic,
  webhookTraffic,
  type StepStats,
  type Traffic,
} from './load-traffic';
import { logBodies } from './log-corpus';
import { flags, recordInDocs, round } from './support';

const TOKEN = 'load-bench-token-0123456789';
/** Requests one kind may have waiting before the next ones are counted as not sent. */
const MAX_IN_FLIGHT = { ingest: 256, query: 64, webhook: 64 } as const;

interface Memory {
  rssMb: number;
  peakRssMb: number;
  heapUsedMb: number;
}

/** CPU seconds (user + system) a process has used, from /proc (Linux, USER_HZ 100). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The server's resident memory (now and peak, from /proc) and V8 heap in use (from /metrics). */
async function memoryOf(url: string, pid: number): Promise<Memory> {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const heap = Number(/^sleuth_nodejs_heap_size_used_bytes (\S+)/m.exec(metrics)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024, heapUsedMb: heap / 2 ** 20 };
}

/**
 * The floor: the store the server uses, on this thread, writing the same rows in 20,000-record
 * transactions (the queue's group commit) with no HTTP, decoding or queue in front.
 */
async function storeFloor(batches: SignalBatch[], records: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'sleuth-bench-load-floor-'));
  const store = new SqliteStore({ path: join(dir, 'floor.db'), synchronous: 'normal' });
  await store.start();
  const rows = batches.flatMap((b) => b.logs);
  try {
    const t0 = performance.now();
    let written = 0;
    while (written < records) {
      const b = emptyBatch();
      const now = Date.now();
      for (let i = 0; i < 20_000; i++, written++) {
        const r = rows[written % rows.length];
        if (r) b.logs.push({ ...r, timeMs: now - 1000 + i / 20 });
      }
      await store.writeBatch(b);
    }
    return written / ((performance.now() - t0) / 1000);
  } finally {
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Step = Record<Traffic['kind'], StepStats> & {
  memory: Memory;
  serverCpuCores: number;
  clientCpuCores: number;
};

function saturated(step: Step): string | undefined {
  for (const kind of ['ingest', 'query', 'webhook'] as const) {
    const s = step[kind];
    if (s.share429 > 0.01) return `${kind}: ${round(s.share429 * 100)}% answered 429`;
    if (s.shareOtherErrors > 0.01) return `${kind}: ${round(s.shareOtherErrors * 100)}% failed`;
    if (s.acceptedPerS < 0.9 * s.offeredPerS)
      return `${kind}: ${Math.round(s.acceptedPerS)} of ${s.offeredPerS} /s accepted`;
    if (s.p99Ms > 2000) return `${kind}: p99 ${Math.round(s.p99Ms)} ms`;
  }
  return undefined;
}

function stepRows(label: string, step: Step): string[] {
  return (['ingest', 'query', 'webhook'] as const).map((kind) => {
    const s = step[kind];
    return `| ${label} | ${kind} | ${Math.round(s.offeredPerS)} | ${Math.round(s.acceptedPerS)} | ${round(s.p50Ms)} | ${round(s.p95Ms)} | ${round(s.p99Ms)} | ${round(s.share429 * 100, 2)} | ${round((s.shareOtherErrors + s.shareNotSent) * 100, 2)} |`;
  });
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const f = flags(args);
  const stepSeconds = Number(f['step-seconds'] ?? 8);
  const maxSteps = Number(f['steps'] ?? 8);
  const factor = Number(f['factor'] ?? 1.5);
  const start = {
    ingest: Number(f['ingest'] ?? 8000),
    query: Number(f['queries'] ?? 4),
    webhook: Number(f['webhooks'] ?? 2),
  };
  const batch = Number(f['batch'] ?? 1000);
  const alertsPerWebhook = Number(f['alerts'] ?? 10);

  const dir = mkdtempSync(join(tmpdir(), 'sleuth-bench-load-'));
  const configFile = join(dir, 'sleuth.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      alerts: { receivers: [{ name: 'am', source: 'alertmanager', cluster: 'prod-eu', bearerToken: TOKEN }] },
    }),
  );
  const dataDir = join(dir, 'data');
  const server = await spawnSleuth([
    'serve',
    ...['--port', '0', '--data-dir', dataDir, '--simulator', 'off', '--config', configFile],
  ]);
  const pid = server.child.pid ?? 0;
  const ingest = ingestTraffic(server.url, logBodies(undefined), batch);
  const traffic = {
    ingest: ingest.traffic,
    query: queryTraffic(server.url),
    webhook: webhookTraffic(server.url, TOKEN, alertsPerWebhook),
  };
  const steps: Step[] = [];
  let brokeBecause: string | undefined;
  try {
    // Warm-up at the first step's rates: JIT, caches, the first incidents.
    await Promise.all(
      (['ingest', 'query', 'webhook'] as const).map((k) => offer(traffic[k], start[k], 3, MAX_IN_FLIGHT[k])),
    );
    for (let i = 0; i < maxSteps && !brokeBecause; i++) {
      const rate = (k: Traffic['kind']): number => Math.round(start[k] * factor ** i * 10) / 10;
      const cpu0 = cpuSeconds(pid);
      const clientCpu0 = process.cpuUsage();
      const t0 = performance.now();
      const [ingest, query, webhook] = await Promise.all(
        (['ingest', 'query', 'webhook'] as const).map((k) =>
          offer(traffic[k], rate(k), stepSeconds, MAX_IN_FLIGHT[k]),
        ),
      );
      if (!ingest || !query || !webhook) throw new Error('a traffic kind reported nothing');
      const seconds = (performance.now() - t0) / 1000;
      const clientCpu = process.cpuUsage(clientCpu0);
      const step: Step = {
        ingest,
        query,
        webhook,
        serverCpuCores: (cpuSeconds(pid) - cpu0) / seconds,
        clientCpuCores: (clientCpu.user + clientCpu.system) / 1e6 / seconds,
        memory: await memoryOf(server.url, pid),
      };
      steps.push(step);
      brokeBecause = saturated(step);
      process.stderr.write(
        `step ${i + 1}: ${rate('ingest')} records/s, ${rate('query')} queries/s, ${rate('webhook')} webhooks/s offered → ${brokeBecause ?? 'held'}\n`,
      );
    }
  } finally {
    await exited(server.child, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
  // After the server stopped, so the floor has the machine to itself.
  const floor = await storeFloor(ingest.batches, 200_000);

  const held = steps.filter((s) => saturated(s) === undefined);
  const sustained = held.at(-1) ?? steps[0];
  const broke = brokeBecause ? steps.at(-1) : undefined;
  if (!sustained) throw new Error('no step ran');
  const peakRss = Math.max(...steps.map((s) => s.memory.peakRssMb));
  const figures = {
    ingest_records_per_s: Math.round(sustained.ingest.acceptedPerS),
    ingest_p50_ms: round(sustained.ingest.p50Ms),
    ingest_p95_ms: round(sustained.ingest.p95Ms),
    ingest_p99_ms: round(sustained.ingest.p99Ms),
    query_per_s: round(sustained.query.acceptedPerS),
    query_p50_ms: round(sustained.query.p50Ms),
    query_p95_ms: round(sustained.query.p95Ms),
    query_p99_ms: round(sustained.query.p99Ms),
    webhook_per_s: round(sustained.webhook.acceptedPerS),
    webhook_p50_ms: round(sustained.webhook.p50Ms),
    webhook_p95_ms: round(sustained.webhook.p95Ms),
    webhook_p99_ms: round(sustained.webhook.p99Ms),
    share_429: round(
      Math.max(sustained.ingest.share429, sustained.query.share429, sustained.webhook.share429),
      4,
    ),
    saturation_ingest_records_per_s: broke ? Math.round(broke.ingest.acceptedPerS) : null,
    saturation_share_429: broke
      ? round(Math.max(broke.ingest.share429, broke.query.share429, broke.webhook.share429), 4)
      : null,
    saturated_by: brokeBecause ?? null,
    rss_mb: Math.round(sustained.memory.rssMb),
    peak_rss_mb: Math.round(peakRss),
    heap_used_mb: Math.round(sustained.memory.heapUsedMb),
    server_cpu_cores: round(sustained.serverCpuCores, 2),
    client_cpu_cores: round(sustained.clientCpuCores, 2),
    floor_store_records_per_s: Math.round(floor),
    ratio_ingest_to_floor: round(sustained.ingest.acceptedPerS / floor, 2),
    steps_run: steps.length,
    step_seconds: stepSeconds,
  };
  const header =
    '| step | kind | offered /s | accepted /s | p50 ms | p95 ms | p99 ms | 429 % | failed or not sent % |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |';
  const table = steps.flatMap((s, i) => stepRows(String(i + 1), s)).join('\n');
  const memory = steps
    .map(
      (s, i) =>
        `| ${i + 1} | ${Math.round(s.memory.rssMb)} | ${Math.round(s.memory.peakRssMb)} | ${Math.round(s.memory.heapUsedMb)} | ${round(s.serverCpuCores, 2)} | ${round(s.clientCpuCores, 2)} |`,
    )
    .join('\n');
  const summary = Object.entries(figures)
    .map(([k, v]) => `| ${k} | ${v} |`)
    .join('\n');
  process.stdout.write(`${header}\n${table}\n\n${summary}\n`);
  recordInDocs(
    'load',
    `npm run bench -- load ${args.join(' ')}`.trim(),
    `Mixed load on \`sleuth serve\` (its own process, detection on, simulator off) from the benchmark
process, three kinds at once, each offered open loop (requests start on schedule, at most
${MAX_IN_FLIGHT.ingest} ingest and ${MAX_IN_FLIGHT.query} query or webhook requests in flight): OTLP/HTTP protobuf log batches of ${batch} records; queries in
turn \`/api/v1/logs?q=..&namespace=..&from=now-5m\`, \`/api/v1/series\`, \`/api/v1/incidents\`; and
Alertmanager webhooks of ${alertsPerWebhook} alerts (new fingerprints, then repeats). After a 3 s warm-up,
each ${stepSeconds} s step multiplies the offered rates by ${factor}, from ${start.ingest} records/s, ${start.query}
queries/s and ${start.webhook} webhooks/s, until a step saturates: over 1% of a kind's requests answered 429
or failing, under 90% of an offered rate accepted, or a p99 over 2 s. "Sustained" is the last
step that held. Latency is over requests answered 200. The floor is the store alone (SqliteStore
on one thread, no HTTP, no queue) writing the same rows in 20,000-record transactions, in the same
run. Both processes share the machine's cores.

| figure | value |
| --- | --- |
${summary}

${header}
${table}

The server process after each step, memory in MB; CPU in cores (of the machine's 2) used
during the step by the server and by the benchmark process:

| step | RSS | peak RSS | V8 heap used | server CPU | benchmark CPU |
| --- | --- | --- | --- | --- | --- |
${memory}`,
  );
  return figures;
}
