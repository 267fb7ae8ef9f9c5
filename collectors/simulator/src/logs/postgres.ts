import type { LogContext, LogDialect, LogLine } from './dialect';
import { offsets } from './dialect';
import { postgresTime } from './time-formats';

type Level = 'LOG' | 'ERROR' | 'FATAL' | 'PANIC' | 'DETAIL' | 'STATEMENT' | 'WARNING';

const SEVERITY = {
  LOG: 'info',
  DETAIL: 'info',
  STATEMENT: 'info',
  WARNING: 'warn',
  ERROR: 'error',
  FATAL: 'error',
  PANIC: 'fatal',
} as const;

/** PostgreSQL stderr with `log_line_prefix = '%m [%p] '`. */
function pg(ctx: LogContext, level: Level, msg: string, offsetMs = 0, pid = 1): LogLine {
  return {
    severity: SEVERITY[level],
    stream: 'stderr',
    body: `${postgresTime(ctx.atMs + offsetMs)} [${pid}] ${level}:  ${msg}`,
    offsetMs,
  };
}

function lsn(ctx: LogContext): string {
  return `0/${ctx.rng.int(0x1000000, 0xfffffff).toString(16).toUpperCase()}`;
}

function checkpoint(ctx: LogContext, at: number): LogLine[] {
  const buffers = ctx.rng.int(80, 900);
  const write = ctx.rng.float(5, 45);
  const pid = ctx.rng.int(27, 29);
  return [
    pg(ctx, 'LOG', 'checkpoint starting: time', at, pid),
    pg(
      ctx,
      'LOG',
      `checkpoint complete: wrote ${buffers} buffers (${((buffers / 16384) * 100).toFixed(1)}%); 0 WAL file(s) added, 0 removed, 1 recycled; ` +
        `write=${write.toFixed(3)} s, sync=0.0${ctx.rng.int(10, 99)} s, total=${(write + 0.05).toFixed(3)} s; sync files=${ctx.rng.int(10, 60)}, ` +
        `longest=0.004 s, average=0.001 s; distance=${ctx.rng.int(900, 5200)} kB, estimate=${ctx.rng.int(3000, 5200)} kB; lsn=${lsn(ctx)}, redo lsn=${lsn(ctx)}`,
      at + write * 1000,
      pid,
    ),
  ];
}

const SLOW = [
  'SELECT id, name, price_cents FROM products ORDER BY popularity DESC LIMIT 24',
  'UPDATE orders SET status = $1, updated_at = now() WHERE id = $2',
  "SELECT count(*) FROM charges WHERE created_at > now() - interval '1 hour'",
];

/** PostgreSQL 16 (official image), logging to stderr. */
export const postgresDialect: LogDialect = {
  startup: (ctx) => [
    pg(
      ctx,
      'LOG',
      'starting PostgreSQL 16.2 (Debian 16.2-1.pgdg120+2) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit',
      200,
    ),
    pg(ctx, 'LOG', 'listening on IPv4 address "0.0.0.0", port 5432', 210),
    pg(ctx, 'LOG', 'listening on Unix socket "/var/run/postgresql/.s.PGSQL.5432"', 215),
    pg(ctx, 'LOG', 'database system was shut down at ' + postgresTime(ctx.atMs - 30_000), 240, 29),
    pg(ctx, 'LOG', 'database system is ready to accept connections', 300),
  ],
  missingEnv: (_ctx, variable) => [
    {
      severity: 'error',
      stream: 'stderr',
      body: [
        'Error: Database is uninitialized and superuser password is not specified.',
        `       You must specify ${variable} to a non-empty value for the`,
        '       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".',
      ].join('\n'),
    },
  ],
  shutdown: (ctx) => [
    pg(ctx, 'LOG', 'received fast shutdown request'),
    pg(ctx, 'LOG', 'aborting any active transactions', 2),
    pg(ctx, 'LOG', 'background worker "logical replication launcher" (PID 35) exited with exit code 1', 5),
    pg(ctx, 'LOG', 'shutting down', 8, 27),
    pg(ctx, 'LOG', 'database system is shut down', 60),
  ],
  request: () => [],
  benignWarning: (ctx, o) =>
    pg(ctx, 'WARNING', 'there is no transaction in progress', o, ctx.rng.int(2000, 9000)),
  background: (ctx, seconds) => {
    const lines: LogLine[] = [];
    for (const o of offsets(ctx, 1 / 300, seconds)) lines.push(...checkpoint(ctx, o));
    for (const o of offsets(ctx, 1 / 150, seconds)) {
      const statement = ctx.rng.pick(SLOW);
      lines.push(
        pg(
          ctx,
          'LOG',
          `duration: ${ctx.rng.float(1000, 2600).toFixed(3)} ms  statement: ${statement}`,
          o,
          ctx.rng.int(2000, 9000),
        ),
      );
    }
    for (const o of offsets(ctx, 1 / 900, seconds)) {
      const pid = ctx.rng.int(2000, 9000);
      const order = ctx.rng.int(100_000, 999_999);
      lines.push(
        pg(ctx, 'ERROR', 'duplicate key value violates unique constraint "charges_order_id_key"', o, pid),
        pg(ctx, 'DETAIL', `Key (order_id)=(${order}) already exists.`, o, pid),
        pg(
          ctx,
          'STATEMENT',
          'INSERT INTO charges (order_id, amount_cents, currency, status) VALUES ($1, $2, $3, $4)',
          o,
          pid,
        ),
      );
    }
    for (const o of offsets(ctx, 1 / 600, seconds)) {
      lines.push(
        pg(
          ctx,
          'LOG',
          `automatic vacuum of table "orders.public.orders": index scans: 1\n\tpages: 0 removed, ${ctx.rng.int(800, 1400)} remain, ${ctx.rng.int(20, 200)} scanned`,
          o,
          ctx.rng.int(2000, 9000),
        ),
      );
    }
    return lines;
  },
  outageStart: (ctx) => {
    const pid = ctx.rng.int(2000, 9000);
    return [
      pg(ctx, 'LOG', `server process (PID ${pid}) was terminated by signal 9: Killed`),
      pg(
        ctx,
        'DETAIL',
        'Failed process was running: INSERT INTO charges (order_id, amount_cents, currency, status) VALUES ($1, $2, $3, $4)',
      ),
      pg(ctx, 'LOG', 'terminating any other active server processes', 1),
      pg(ctx, 'LOG', 'all server processes terminated; reinitializing', 40),
      pg(
        ctx,
        'LOG',
        `database system was interrupted; last known up at ${postgresTime(ctx.atMs - 120_000)}`,
        60,
        ctx.rng.int(9000, 9999),
      ),
      pg(
        ctx,
        'LOG',
        'database system was not properly shut down; automatic recovery in progress',
        80,
        ctx.rng.int(9000, 9999),
      ),
      pg(ctx, 'LOG', `redo starts at ${lsn(ctx)}`, 90, ctx.rng.int(9000, 9999)),
    ];
  },
  outageProbe: (ctx) => [
    pg(ctx, 'FATAL', 'the database system is in recovery mode', 0, ctx.rng.int(9000, 9999)),
  ],
  outageEnd: (ctx, downSinceMs) => {
    const pid = ctx.rng.int(9000, 9999);
    const elapsed = ((ctx.atMs - downSinceMs) / 1000).toFixed(2);
    return [
      pg(
        ctx,
        'LOG',
        `redo done at ${lsn(ctx)} system usage: CPU: user: 3.12 s, system: 1.87 s, elapsed: ${elapsed} s`,
        0,
        pid,
      ),
      pg(ctx, 'LOG', 'checkpoint starting: end-of-recovery immediate wait', 5, pid),
      pg(
        ctx,
        'LOG',
        `checkpoint complete: wrote ${ctx.rng.int(900, 4000)} buffers (12.1%); 0 WAL file(s) added, 0 removed, 3 recycled`,
        900,
        pid,
      ),
      pg(ctx, 'LOG', 'database system is ready to accept connections', 950),
    ];
  },
};
