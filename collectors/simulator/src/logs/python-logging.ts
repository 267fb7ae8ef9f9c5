import type { DependencyFailure, LogContext, LogDialect, LogLine } from './dialect';
import { offsets } from './dialect';
import { pythonTime } from './time-formats';

type Level = 'info' | 'warn' | 'error';

/** Python logging: `%(asctime)s %(levelname)s [%(name)s] %(message)s`. */
function py(ctx: LogContext, level: Level, logger: string, msg: string, offsetMs = 0): LogLine {
  const name = level === 'warn' ? 'WARNING' : level.toUpperCase();
  return {
    severity: level,
    stream: 'stderr',
    body: `${pythonTime(ctx.atMs + offsetMs)} ${name} [${logger}] ${msg}`,
    offsetMs,
  };
}

function traceback(failure: DependencyFailure): string[] {
  const { target } = failure;
  if (target.kind === 'postgres') {
    const reason =
      failure.kind === 'refused'
        ? 'Connection refused'
        : failure.kind === 'timeout'
          ? 'timeout expired'
          : 'server closed the connection unexpectedly';
    return [
      'Traceback (most recent call last):',
      '  File "/app/order_worker/jobs.py", line 42, in process_order',
      '    with db.connect() as conn:',
      '  File "/app/order_worker/db.py", line 18, in connect',
      '    return psycopg2.connect(settings.orders_db_url, connect_timeout=3)',
      '  File "/usr/local/lib/python3.12/site-packages/psycopg2/__init__.py", line 122, in connect',
      '    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)',
      `psycopg2.OperationalError: connection to server at "${target.host}" (${target.ip}), port ${target.port} failed: ${reason}`,
      '\tIs the server running on that host and accepting TCP/IP connections?',
    ];
  }
  return [
    'Traceback (most recent call last):',
    '  File "/app/order_worker/jobs.py", line 51, in process_order',
    '    queue.ack(job)',
    failure.kind === 'timeout'
      ? 'redis.exceptions.TimeoutError: Timeout connecting to server'
      : `redis.exceptions.ConnectionError: Error 111 connecting to ${target.host}:${target.port}. Connection refused.`,
  ];
}

const JOBS = 'order_worker.jobs';

/** Python 3.12 worker using the standard logging module. */
export const pythonDialect: LogDialect = {
  startup: (ctx) => [
    py(ctx, 'info', 'order_worker', `starting ${ctx.spec.name} ${ctx.version} (concurrency=4)`, 300),
    py(
      ctx,
      'info',
      'order_worker.queue',
      `listening on queue 'orders' at redis.data.svc.cluster.local:6379/1`,
      420,
    ),
  ],
  missingEnv: (_ctx, variable) => [
    {
      severity: 'error',
      stream: 'stderr',
      offsetMs: 350,
      body: [
        'Traceback (most recent call last):',
        '  File "/app/order_worker/__main__.py", line 8, in <module>',
        '    settings = Settings.from_env()',
        '  File "/app/order_worker/settings.py", line 27, in from_env',
        '    raise RuntimeError(f"required environment variable {name} is not set")',
        `RuntimeError: required environment variable ${variable} is not set`,
      ].join('\n'),
    },
  ],
  shutdown: (ctx) => [
    py(ctx, 'info', 'order_worker', 'received SIGTERM, finishing current jobs'),
    py(ctx, 'info', 'order_worker', 'shutdown complete', 500),
  ],
  request: (ctx, req) => {
    if (req.method === 'SCHEDULE') {
      if (!req.failure)
        return [
          py(
            ctx,
            'info',
            'order_worker.scheduler',
            `task ${req.route} done: ${ctx.rng.int(0, 3)} stale orders re-queued`,
            req.durationMs,
          ),
        ];
      const line = py(ctx, 'error', 'order_worker.scheduler', `task ${req.route} failed`, req.durationMs);
      line.body = `${line.body}\n${traceback(req.failure).join('\n')}`;
      return [line];
    }
    const job = req.requestId.slice(0, 12);
    const order = `ord_${req.requestId.slice(12, 22)}`;
    if (!req.failure) {
      return [
        py(
          ctx,
          'info',
          JOBS,
          `order ${order} confirmed (job ${job}, ${(req.durationMs / 1000).toFixed(3)}s)`,
          req.durationMs,
        ),
      ];
    }
    const attempt = req.attempt ?? 1;
    const max = req.maxAttempts ?? 3;
    const head = py(
      ctx,
      'error',
      JOBS,
      `job ${job} for order ${order} failed (attempt ${attempt}/${max})`,
      req.durationMs,
    );
    head.body = `${head.body}\n${traceback(req.failure).join('\n')}`;
    const lines = [head];
    if (attempt >= max)
      lines.push(
        py(
          ctx,
          'error',
          JOBS,
          `job ${job} moved to the failed job registry after ${max} attempts`,
          req.durationMs + 1,
        ),
      );
    else lines.push(py(ctx, 'warn', JOBS, `job ${job} will be retried in 5s`, req.durationMs + 1));
    return lines;
  },
  benignWarning: (ctx, o) =>
    py(
      ctx,
      'warn',
      'py.warnings',
      `/usr/local/lib/python3.12/site-packages/rq/job.py:${ctx.rng.pick([1089, 1102, 1417])}: DeprecationWarning: ` +
        'datetime.datetime.utcnow() is deprecated and scheduled for removal in a future version. ' +
        'Use timezone-aware objects to represent datetimes in UTC: datetime.datetime.now(datetime.UTC).',
      o,
    ),
  background: (ctx, seconds) => [
    ...offsets(ctx, 1 / 60, seconds).map((o) =>
      py(ctx, 'info', 'order_worker.queue', 'worker heartbeat ok', o),
    ),
    ...offsets(ctx, 1 / 60, seconds).map((o) =>
      py(ctx, 'warn', JOBS, `order ord_${ctx.rng.hex(10)} has no shipping address, using billing address`, o),
    ),
  ],
};
