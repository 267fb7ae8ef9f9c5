import type { DependencyFailure, LogContext, LogDialect, LogLine, RequestLog } from './dialect';
import { offsets } from './dialect';
import { nginxAccessTime, slashTime } from './time-formats';

const SERVER = 'shop.example.com';
const errLine = (ctx: LogContext, level: string, text: string, offsetMs = 0): LogLine => ({
  severity: level === 'error' ? 'error' : level === 'warn' ? 'warn' : 'info',
  stream: 'stderr',
  body: `${slashTime(ctx.atMs + offsetMs)} [${level}] ${text}`,
  offsetMs,
});

function upstreamError(ctx: LogContext, req: RequestLog, failure: DependencyFailure): LogLine | undefined {
  const conn = ctx.rng.int(1000, 999_999);
  const worker = ctx.rng.int(22, 31);
  const upstream = `http://${failure.target.ip}:${failure.target.port}${failure.target.detail}`;
  const tail = `client: ${req.clientIp}, server: ${SERVER}, request: "${req.method} ${req.path} HTTP/1.1", upstream: "${upstream}", host: "${SERVER}"`;
  if (failure.kind === 'refused') {
    return errLine(
      ctx,
      'error',
      `${worker}#${worker}: *${conn} connect() failed (111: Connection refused) while connecting to upstream, ${tail}`,
    );
  }
  if (failure.kind === 'timeout') {
    return errLine(
      ctx,
      'error',
      `${worker}#${worker}: *${conn} upstream timed out (110: Connection timed out) while connecting to upstream, ${tail}`,
    );
  }
  if (failure.kind === 'reset') {
    return errLine(
      ctx,
      'error',
      `${worker}#${worker}: *${conn} upstream prematurely closed connection while reading response header from upstream, ${tail}`,
    );
  }
  return undefined;
}

/** nginx: combined-style access log on stdout, error log on stderr. */
export const nginxDialect: LogDialect = {
  startup: (ctx) => [
    {
      severity: 'info',
      stream: 'stdout',
      body: '/docker-entrypoint.sh: Configuration complete; ready for start up',
    },
    errLine(ctx, 'notice', '1#1: using the "epoll" event method', 5),
    errLine(ctx, 'notice', '1#1: nginx/1.25.4', 5),
    errLine(ctx, 'notice', '1#1: start worker processes', 8),
  ],
  missingEnv: (ctx, variable) => [
    errLine(
      ctx,
      'emerg',
      `1#1: unknown "${variable.toLowerCase()}" variable (required environment variable ${variable} is not set)`,
    ),
  ],
  shutdown: (ctx) => [
    errLine(ctx, 'notice', '1#1: signal 3 (SIGQUIT) received, shutting down'),
    errLine(ctx, 'notice', '1#1: exit', 400),
  ],
  request: (ctx, req) => {
    const urt = req.upstream ? (req.upstream.ms / 1000).toFixed(3) : '-';
    const ua = req.upstream ? req.upstream.address : '-';
    // The collector's parser maps the status code to a severity, as access logs carry no level.
    const access: LogLine = {
      severity: req.status >= 500 ? 'error' : req.status >= 400 ? 'warn' : 'info',
      stream: 'stdout',
      offsetMs: req.durationMs,
      body:
        `${req.clientIp} - - [${nginxAccessTime(ctx.atMs + req.durationMs)}] "${req.method} ${req.path} HTTP/1.1" ` +
        `${req.status} ${req.bytes} "https://${SERVER}/" "${req.userAgent}" rt=${(req.durationMs / 1000).toFixed(3)} ` +
        `uaddr=${ua} urt=${urt} rid=${req.requestId}`,
    };
    const error = req.failure ? upstreamError(ctx, req, req.failure) : undefined;
    return error ? [{ ...error, offsetMs: req.durationMs }, access] : [access];
  },
  benignWarning: (ctx, o) => {
    const n = ctx.rng.int(1000, 999_999);
    return errLine(
      ctx,
      'warn',
      `${ctx.rng.int(22, 31)}#${ctx.rng.int(22, 31)}: *${n} a client request body is buffered to a temporary file ` +
        `/var/cache/nginx/client_temp/00000${ctx.rng.int(10_000, 99_999)}, client: 10.${ctx.rng.int(0, 255)}.${ctx.rng.int(0, 2)}.${ctx.rng.int(10, 250)}, ` +
        `server: ${SERVER}, request: "POST /checkout HTTP/1.1", host: "${SERVER}"`,
      o,
    );
  },
  background: (ctx, seconds) =>
    offsets(ctx, 1 / 30, seconds).map((o) =>
      errLine(
        ctx,
        'warn',
        `${ctx.rng.int(22, 31)}#${ctx.rng.int(22, 31)}: *${ctx.rng.int(1000, 999_999)} an upstream response is buffered to a temporary file ` +
          `/var/cache/nginx/proxy_temp/${ctx.rng.int(1, 9)}/0${ctx.rng.int(1, 9)}/00000${ctx.rng.int(10_000, 99_999)} while reading upstream, ` +
          `client: 10.${ctx.rng.int(0, 255)}.${ctx.rng.int(0, 2)}.${ctx.rng.int(10, 250)}, server: ${SERVER}, request: "GET / HTTP/1.1", ` +
          `upstream: "http://catalog-api.shop.svc.cluster.local:8080/api/products", host: "${SERVER}"`,
        o,
      ),
    ),
};
