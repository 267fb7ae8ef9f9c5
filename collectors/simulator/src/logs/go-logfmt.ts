import { isoTime } from '../clock';
import type { DependencyFailure, LogContext, LogDialect, LogLine } from './dialect';
import { offsets } from './dialect';

type Level = 'info' | 'warn' | 'error';

/** A logfmt value: quoted when it holds spaces, quotes or `=`. */
function value(v: string | number): string {
  const s = String(v);
  return /[\s"=]/.test(s) || s === '' ? JSON.stringify(s) : s;
}

/** log/slog's TextHandler: `time=... level=INFO msg="..." key=value ...`. */
function slog(
  ctx: LogContext,
  level: Level,
  msg: string,
  fields: Record<string, string | number | undefined>,
  offsetMs = 0,
): LogLine {
  const kv = Object.entries(fields)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
  const body = `time=${isoTime(ctx.atMs + offsetMs)} level=${level.toUpperCase()} msg=${value(msg)}${kv ? ` ${kv}` : ''}`;
  return { severity: level, stream: 'stderr', body, offsetMs };
}

/** The error text a Go client returns for a failed dependency. */
function goError(failure: DependencyFailure): string {
  const { target } = failure;
  const dial = `dial tcp ${target.ip}:${target.port}`;
  if (target.kind === 'postgres') {
    const cause =
      failure.kind === 'refused'
        ? `${dial}: connect: connection refused`
        : failure.kind === 'timeout'
          ? `${dial}: i/o timeout`
          : `read tcp ${target.ip}:${target.port}: read: connection reset by peer`;
    return `failed to connect to \`host=${target.host} user=catalog database=${target.detail}\`: dial error (${cause})`;
  }
  if (failure.kind === 'refused') return `${dial}: connect: connection refused`;
  if (failure.kind === 'timeout') return `${dial}: i/o timeout`;
  if (failure.kind === 'reset') return `read tcp ${target.ip}:${target.port}: read: connection reset by peer`;
  return `unexpected status ${failure.status} from ${target.host}:${target.port}`;
}

/** Go 1.22 with log/slog's text handler (logfmt). */
export const goDialect: LogDialect = {
  startup: (ctx) => [
    slog(ctx, 'info', `starting ${ctx.spec.name}`, { version: ctx.version, go: 'go1.22.1' }),
    slog(
      ctx,
      'info',
      'connected to postgres',
      { host: 'postgres.data.svc.cluster.local:5432', database: 'catalog' },
      60,
    ),
    slog(ctx, 'info', 'connected to redis', { addr: 'redis.data.svc.cluster.local:6379' }, 70),
    slog(ctx, 'info', 'listening', { addr: `:${ctx.spec.port}` }, 90),
  ],
  missingEnv: (ctx, variable) => [
    slog(ctx, 'info', `starting ${ctx.spec.name}`, { version: ctx.version, go: 'go1.22.1' }),
    slog(
      ctx,
      'error',
      'invalid configuration',
      { err: `required environment variable ${variable} is not set` },
      3,
    ),
  ],
  shutdown: (ctx) => [
    slog(ctx, 'info', 'shutting down', { signal: 'terminated' }),
    slog(ctx, 'info', 'server stopped', {}, 150),
  ],
  request: (ctx, req) => {
    const lines: LogLine[] = [];
    const trace = { trace_id: req.traceId, path: req.path };
    if (req.degraded) {
      lines.push(
        slog(
          ctx,
          'warn',
          'cache unavailable, falling back to database',
          { err: goError(req.degraded), ...trace },
          req.durationMs * 0.3,
        ),
      );
    }
    if (req.failure) {
      lines.push(
        slog(ctx, 'error', 'query failed', { err: goError(req.failure), ...trace }, req.durationMs * 0.9),
      );
    }
    if (req.appError) {
      const err = req.appError.message;
      lines.push(slog(ctx, 'error', 'handler failed', { err, ...trace }, req.durationMs * 0.9));
    }
    const level: Level = req.status >= 500 ? 'error' : req.durationMs > 500 ? 'warn' : 'info';
    lines.push(
      slog(
        ctx,
        level,
        'request',
        {
          method: req.method,
          path: req.path,
          status: req.status,
          duration: `${req.durationMs.toFixed(3)}ms`,
          bytes: req.bytes,
          remote: req.clientIp,
          trace_id: req.traceId,
        },
        req.durationMs,
      ),
    );
    return lines;
  },
  benignWarning: (ctx, o) =>
    slog(
      ctx,
      'warn',
      'local cache full, evicting entries',
      { cache: 'products', capacity: 5000, evicted: ctx.rng.int(20, 400) },
      o,
    ),
  background: (ctx, seconds) => [
    ...offsets(ctx, 1 / 60, seconds).map((o) =>
      slog(
        ctx,
        'info',
        'cache stats',
        { hits: ctx.rng.int(800, 2400), misses: ctx.rng.int(60, 300), keys: ctx.rng.int(4000, 4200) },
        o,
      ),
    ),
    ...offsets(ctx, 1 / 40, seconds).map((o) =>
      slog(ctx, 'warn', 'slow query', { duration: `${ctx.rng.int(210, 480)}ms`, table: 'products' }, o),
    ),
  ],
};
