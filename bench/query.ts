/**
 * Log search latency on 1,000,000 stored records: full-text, filters, and both, newest first,
 * limit 100, through the SqliteStore the server uses.
 *
 *   npm run bench -- query [LOG_DIR] [--records 1000000] [--runs 40]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, emptyBatch, type Severity } from '@sleuth/core';
import { SqliteStore, type LogQuery } from '@sleuth/store';
import { logBodies, NAMESPACES } from './log-corpus';
import { flags, percentile, recordInDocs, round } from './support';

const SEVERITIES: Severity[] = [
  'info',
  'info',
  'info',
  'info',
  'info',
  'info',
  'info',
  'warn',
  'error',
  'debug',
];

async function fill(store: SqliteStore, bodies: string[], records: number): Promise<number> {
  const end = Date.now();
  const span = 24 * 3_600_000;
  const t0 = performance.now();
  for (let i = 0; i < records;) {
    const b = emptyBatch();
    for (let j = 0; j < 20_000 && i < records; j++, i++) {
      const ns = NAMESPACES[i % NAMESPACES.length] ?? 'shop';
      const wl = `svc-${(i >> 3) % 5}`;
      b.logs.push({
        timeMs: end - span + Math.floor((i / records) * span),
        source: {
          cluster: i % 2 === 0 ? 'prod-eu' : 'prod-us',
          namespace: ns,
          workload: wl,
          workloadKind: 'Deployment',
          pod: `${wl}-6f7d9-${(i >> 5) % 3}`,
          container: 'app',
          service: wl,
        },
        severity: SEVERITIES[i % SEVERITIES.length] ?? 'info',
        body: bodies[i % bodies.length] ?? '',
        attributes: {},
      });
    }
    await store.writeBatch(b);
  }
  return records / ((performance.now() - t0) / 1000);
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const f = flags(args);
  const dataDir = f._[0];
  const records = Number(f['records'] ?? 1_000_000);
  const runs = Number(f['runs'] ?? 40);
  const bodies = logBodies(dataDir);
  const dir = mkdtempSync(join(tmpdir(), 'sleuth-bench-query-'));
  const store = new SqliteStore({
    path: join(dir, 'q.db'),
    synchronous: 'normal',
    logger: createLogger('warn'),
  });
  await store.start();
  try {
    const writeRate = await fill(store, bodies, records);
    const words = ['request', 'payment', 'connection', 'slow', 'processed', 'declined', 'GET', 'postgres'];
    const now = Date.now();
    const shapes: Record<string, (i: number) => LogQuery> = {
      text: (i) => ({ q: words[i % words.length] }),
      text_namespace: (i) => ({ q: words[i % words.length], namespace: NAMESPACES[i % NAMESPACES.length] }),
      namespace_only: (i) => ({ namespace: NAMESPACES[i % NAMESPACES.length] }),
      namespace_errors: (i) => ({ namespace: NAMESPACES[i % NAMESPACES.length], severities: ['error'] }),
      text_pod: (i) => ({
        q: words[i % words.length],
        pod: `svc-${i % 5}-6f7d9-${i % 3}`,
        cluster: 'prod-eu',
      }),
      text_last_hour: (i) => ({ q: words[i % words.length], fromMs: now - 3_600_000 }),
      text_window_6h_ago: (i) => ({
        q: words[i % words.length],
        fromMs: now - 7 * 3_600_000,
        toMs: now - 6 * 3_600_000,
      }),
      phrase: (i) => ({ q: ['"request completed"', '"slow query"', '"payment declined"'][i % 3] }),
      rare_term: (i) => ({ q: String(100000 + ((i * 7919) % 900000)) }),
    };
    const figures: Record<string, unknown> = { records, store_write_records_per_s: Math.round(writeRate) };
    const all: number[] = [];
    const rows: string[] = [];
    for (const [name, make] of Object.entries(shapes)) {
      const lat: number[] = [];
      let hits = 0;
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const page = await store.searchLogs({ ...make(i), limit: 100 });
        lat.push(performance.now() - t0);
        hits += page.records.length;
      }
      lat.sort((a, b) => a - b);
      all.push(...lat);
      figures[`${name}_p50_ms`] = round(percentile(lat, 50), 2);
      figures[`${name}_p95_ms`] = round(percentile(lat, 95), 2);
      rows.push(
        `| ${name} | ${round(percentile(lat, 50), 2)} | ${round(percentile(lat, 95), 2)} | ${round(hits / runs)} |`,
      );
    }
    all.sort((a, b) => a - b);
    figures['all_p50_ms'] = round(percentile(all, 50), 2);
    figures['all_p95_ms'] = round(percentile(all, 95), 2);
    const table = `| query shape | p50 ms | p95 ms | mean hits |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n| **all** | ${String(figures['all_p50_ms'])} | ${String(figures['all_p95_ms'])} | |`;
    process.stdout.write(`${table}\n`);
    recordInDocs(
      'query',
      `npm run bench -- query ${args.join(' ')}`.trim(),
      `Log search on ${records.toLocaleString('en')} records spread over 24 h (2 clusters, 12 namespaces, 60
pods), ${dataDir ? `bodies from ${dataDir}` : 'synthetic service log bodies'}; ${runs} runs per shape with varied
terms, newest first, limit 100, through \`SqliteStore.searchLogs\`. Filling the store directly with
\`writeBatch\` ran at ${Math.round(writeRate).toLocaleString('en')} records/s. Target: p95 under 100 ms.

${table}`,
    );
    return figures;
  } finally {
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
