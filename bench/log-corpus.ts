import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Log bodies for benchmarks: real lines from a Loghub-style folder (every *.log file under it)
 * when one is given, else a deterministic mix of realistic service log lines.
 */
export function logBodies(dataDir: string | undefined, count = 20_000): string[] {
  if (dataDir) {
    const lines: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (name.endsWith('.log'))
          lines.push(
            ...readFileSync(p, 'utf8')
              .split('\n')
              .filter((l) => l.trim() !== ''),
          );
      }
    };
    walk(dataDir);
    if (lines.length === 0) throw new Error(`no *.log files under ${dataDir}`);
    return lines;
  }
  const out: string[] = [];
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const paths = [
    '/api/cart',
    '/api/checkout',
    '/api/orders/{id}',
    '/healthz',
    '/api/payments',
    '/static/app.js',
  ];
  for (let i = 0; i < count; i++) {
    const id = 100000 + rnd(900000);
    const path = (paths[rnd(paths.length)] ?? '/').replace('{id}', String(id));
    switch (rnd(6)) {
      case 0:
        out.push(
          `10.${rnd(255)}.${rnd(255)}.${rnd(255)} - - "GET ${path} HTTP/1.1" ${[200, 200, 200, 404, 500][rnd(5)]} ${rnd(9000)} "-" "Mozilla/5.0" ${rnd(900) / 1000}`,
        );
        break;
      case 1:
        out.push(
          JSON.stringify({
            level: 'info',
            msg: 'request completed',
            path,
            status: 200,
            duration_ms: rnd(300),
            order_id: id,
          }),
        );
        break;
      case 2:
        out.push(
          `level=warn msg="slow query" table=orders rows=${rnd(5000)} took=${rnd(2000)}ms trace=${id.toString(16)}`,
        );
        break;
      case 3:
        out.push(
          `ERROR c.e.payments.PaymentService - payment ${id} declined: upstream returned 502 after ${rnd(30)} retries`,
        );
        break;
      case 4:
        out.push(
          `${new Date(1_700_000_000_000 + i * 1000).toISOString()} INFO worker[${rnd(16)}] processed job ${id} in ${rnd(500)}ms queue=emails`,
        );
        break;
      default:
        out.push(`connection to postgres-0.postgres:5432 established for user app (pool size ${rnd(20)})`);
    }
  }
  return out;
}

export const NAMESPACES = [
  'shop',
  'payments',
  'search',
  'auth',
  'data',
  'web',
  'ops',
  'mail',
  'media',
  'ml',
  'infra',
  'billing',
];
