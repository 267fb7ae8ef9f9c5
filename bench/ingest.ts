/**
 * Sustained OTLP/HTTP log ingest into a Sleuth server running as its own process: records/s
 * acknowledged (each 200 means durably written) and ack latency, next to two floors measured in
 * the same run on the same rows: a bare better-sqlite3 insert into a table with an FTS5 index
 * over the body (the storage floor: what SQLite alone does), and into a plain table with no index.
 *
 *   npm run bench -- ingest [LOG_DIR] [--seconds 20] [--batch 2000] [--concurrency 6]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { encodeOtlpRequest } from '@sleuth/pipeline';
import { migrate } from '../services/store/src/sqlite/migrations';
import { exited, spawnSleuth } from '../test/support/process';
import { logBodies, NAMESPACES } from './log-corpus';
import { flags, percentile, recordInDocs, round } from './support';
import { stamped, timeOffsets, type Payload } from './restamp';

interface Row {
  timeMs: number;
  cluster: string;
  namespace: string;
  workload: string;
  pod: string;
  severity: number;
  body: string;
}

function makeRequests(
  bodies: string[],
  batch: number,
  variants: number,
): { payloads: Payload[]; rows: Row[] } {
  const payloads: Payload[] = [];
  const rows: Row[] = [];
  let k = 0;
  const now = Date.now();
  for (let v = 0; v < variants; v++) {
    const cluster = v % 2 === 0 ? 'prod-eu' : 'prod-us';
    const namespace = NAMESPACES[v % NAMESPACES.length] ?? 'shop';
    const pod = `api-${v % 7}-5d8f7c9b4-${(v * 7919).toString(36).slice(-5)}`;
    const logRecords = [];
    const nanos: bigint[] = [];
    for (let i = 0; i < batch; i++) {
      const body = bodies[k++ % bodies.length] ?? '';
      const sevNum = body.includes('ERROR') ? 17 : body.includes('warn') ? 13 : 9;
      const timeMs = now - 60_000 + ((v * batch + i) % 60_000);
      // Distinct values (ms plus a per-record nanosecond tag) so each can be found again.
      const ns = BigInt(timeMs) * 1_000_000n + BigInt(v * batch + i + 1);
      nanos.push(ns);
      logRecords.push({
        timeUnixNano: `${ns}`,
        severityNumber: sevNum,
        body: { stringValue: body },
        attributes: [{ key: 'log.iostream', value: { stringValue: 'stdout' } }],
      });
      rows.push({ timeMs, cluster, namespace, workload: `api-${v % 7}`, pod, severity: sevNum, body });
    }
    const bytes = Buffer.from(
      encodeOtlpRequest('logs', {
        resourceLogs: [
          {
            resource: {
              attributes: [
                { key: 'k8s.cluster.name', value: { stringValue: cluster } },
                { key: 'k8s.namespace.name', value: { stringValue: namespace } },
                { key: 'k8s.deployment.name', value: { stringValue: `api-${v % 7}` } },
                { key: 'k8s.pod.name', value: { stringValue: pod } },
                { key: 'k8s.container.name', value: { stringValue: 'app' } },
                { key: 'service.name', value: { stringValue: `api-${v % 7}` } },
              ],
            },
            scopeLogs: [{ logRecords }],
          },
        ],
      }),
    );
    payloads.push({ bytes, timeOffsets: timeOffsets(bytes, nanos) });
  }
  return { payloads, rows };
}

async function drive(url: string, payloads: Payload[], batch: number, seconds: number, concurrency: number) {
  const latencies: number[] = [];
  let acked = 0;
  let throttled = 0;
  let failed = 0;
  let next = 0;
  const deadline = performance.now() + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const payload = payloads[next++ % payloads.length];
      if (!payload) throw new Error('no payloads to send');
      const body = stamped(payload);
      const t0 = performance.now();
      const res = await fetch(`${url}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body,
      });
      await res.arrayBuffer();
      if (res.status === 200) {
        latencies.push(performance.now() - t0);
        acked += batch;
      } else if (res.status === 429) {
        throttled++;
        await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
      } else failed++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { acked, elapsed, throttled, failed, latencies };
}

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
  return ticks / 100; // USER_HZ is 100 on Linux
}

/**
 * The same rows written the way the store lays them out, by a bare better-sqlite3 loop: the
 * store's own schema (its migrations), time-ordered rowids (ms << 20 | seq), and the FTS row with
 * the facet tokens the store adds (cluster, namespace, workload, pod, container, service, and
 * severity from warn up). What SQLite alone costs for what the store keeps.
 */
function floorSameSchema(rows: Row[]): number {
  const dir = mkdtempSync(join(tmpdir(), 'sleuth-floor-'));
  const db = new Database(join(dir, 'floor.db'));
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  migrate(db);
  const ids = new Map<string, number>();
  const idOf = (v: string): number => {
    let id = ids.get(v);
    if (id === undefined) ids.set(v, (id = ids.size + 1));
    return id;
  };
  const ins = db.prepare(
    `INSERT INTO logs (id, source_id, severity, time_ms, observed_ms, body, attributes, trace_id, span_id)
     VALUES (?, ?, ?, NULL, NULL, ?, ?, NULL, NULL)`,
  );
  const fts = db.prepare('INSERT INTO logs_fts (rowid, body, facets) VALUES (?, ?, ?)');
  const start = BigInt(Date.now());
  const write = db.transaction((chunk: Row[], offset: number) => {
    chunk.forEach((r, j) => {
      const i = offset + j;
      const rowid = ((start + BigInt(i >> 1)) << 20n) | BigInt(i & 1); // 2 records per ms
      const rank = r.severity >= 17 ? 4 : r.severity >= 13 ? 3 : 2;
      const w = idOf(`w${r.workload}`);
      let facets = `c${idOf(`c${r.cluster}`)} n${idOf(`n${r.namespace}`)} w${w} p${idOf(`p${r.pod}`)} k1 v${w}`;
      if (rank >= 3) facets += ` e${rank}`;
      ins.run(rowid, idOf(`s${r.pod}`), rank, r.body, '{"log.iostream":"stdout"}');
      fts.run(rowid, r.body, facets);
    });
  });
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += 10_000) write(rows.slice(i, i + 10_000), i);
  const secs = (performance.now() - t0) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return rows.length / secs;
}

function floor(rows: Row[], withFts: boolean): number {
  const dir = mkdtempSync(join(tmpdir(), 'sleuth-floor-'));
  const db = new Database(join(dir, 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(
    `CREATE TABLE logs (id INTEGER PRIMARY KEY, time_ms INTEGER, cluster TEXT, namespace TEXT, pod TEXT, severity INTEGER, body TEXT)`,
  );
  if (withFts) db.exec(`CREATE VIRTUAL TABLE logs_fts USING fts5(body, content='')`);
  const ins = db.prepare(
    'INSERT INTO logs (time_ms, cluster, namespace, pod, severity, body) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const fts = withFts ? db.prepare('INSERT INTO logs_fts (rowid, body) VALUES (?, ?)') : undefined;
  const write = db.transaction((chunk: Row[]) => {
    for (const r of chunk) {
      const info = ins.run(r.timeMs, r.cluster, r.namespace, r.pod, r.severity, r.body);
      fts?.run(info.lastInsertRowid, r.body);
    }
  });
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += 10_000) write(rows.slice(i, i + 10_000));
  const secs = (performance.now() - t0) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return rows.length / secs;
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const f = flags(args);
  const dataDir = f._[0];
  const seconds = Number(f['seconds'] ?? 20);
  const batch = Number(f['batch'] ?? 2000);
  const concurrency = Number(f['concurrency'] ?? 6);
  const bodies = logBodies(dataDir);
  const { payloads, rows } = makeRequests(bodies, batch, 60);
  const dir = mkdtempSync(join(tmpdir(), 'sleuth-bench-ingest-'));
  const server = await spawnSleuth(['serve', '--port', '0', '--data-dir', dir, '--simulator', 'off']);
  let result;
  let cpu;
  try {
    await drive(server.url, payloads, batch, 3, concurrency); // warm-up
    const pid = server.child.pid ?? 0;
    const serverCpu0 = processCpuSeconds(pid);
    const clientCpu0 = process.cpuUsage();
    result = await drive(server.url, payloads, batch, seconds, concurrency);
    const clientCpu = process.cpuUsage(clientCpu0);
    cpu = {
      server: (processCpuSeconds(pid) - serverCpu0) / result.elapsed,
      client: (clientCpu.user + clientCpu.system) / 1e6 / result.elapsed,
    };
  } finally {
    await exited(server.child, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
  const floorRows: Row[] = [];
  const want = Math.min(Math.max(result.acked, 200_000), 600_000);
  while (floorRows.length < want) floorRows.push(...rows.slice(0, want - floorRows.length));
  const floorSame = floorSameSchema(floorRows);
  const floorFts = floor(floorRows, true);
  const floorPlain = floor(floorRows, false);
  const rate = result.acked / result.elapsed;
  const figures = {
    records_per_s: Math.round(rate),
    ack_p50_ms: round(percentile(result.latencies, 50)),
    ack_p99_ms: round(percentile(result.latencies, 99)),
    requests_throttled: result.throttled,
    requests_failed: result.failed,
    floor_same_schema_records_per_s: Math.round(floorSame),
    floor_body_fts_records_per_s: Math.round(floorFts),
    floor_plain_table_records_per_s: Math.round(floorPlain),
    ratio_to_same_schema_floor: round(rate / floorSame, 2),
    ratio_to_body_fts_floor: round(rate / floorFts, 2),
    server_cpu_cores: round(cpu.server, 2),
    client_cpu_cores: round(cpu.client, 2),
    batch_records: batch,
    concurrency,
    seconds,
    corpus: dataDir ?? 'synthetic',
  };
  const table = Object.entries(figures)
    .map(([k, v]) => `| ${k} | ${v} |`)
    .join('\n');
  process.stdout.write(`${table}\n`);
  recordInDocs(
    dataDir ? `ingest, ${basename(dataDir)}` : 'ingest, synthetic',
    `npm run bench -- ingest ${args.join(' ')}`.trim(),
    `Sustained OTLP/HTTP protobuf log ingest into \`sleuth serve\` (separate process, SQLite store with
its writer thread, synchronous=normal), ${concurrency} concurrent senders of ${batch}-record requests for
${seconds} s after a 3 s warm-up, each request stamped with the current second. A record counts once
its request was answered 200 (durably written). CPU is per process, in cores.
Floors, same run, same rows, bare better-sqlite3 loops in 10,000-row transactions:
- same schema: the store's own tables (its migrations), rowids and FTS5 facet tokens. The
  target ratio is against this floor: it is what SQLite alone costs for what the store keeps.
- body FTS: a plain table plus a contentless FTS5 index over the body only, sequential rowids.
- plain table: no index at all.
Targets: >= 50,000 records/s and >= 0.5 of the same-schema floor.

| figure | value |
| --- | --- |
${table}`,
  );
  return figures;
}
