import type { DependencyFailure, LogContext, LogDialect, LogLine, RequestLog } from './dialect';
import { offsets } from './dialect';

const LEVEL = { info: 30, warn: 40, error: 50, fatal: 60 } as const;

function pino(
  ctx: LogContext,
  level: keyof typeof LEVEL,
  msg: string,
  fields: Record<string, unknown> = {},
  offsetMs = 0,
): LogLine {
  const entry = {
    level: LEVEL[level],
    time: Math.floor(ctx.atMs + offsetMs),
    pid: 1,
    hostname: ctx.pod,
    ...fields,
    msg,
  };
  return { severity: level, stream: 'stdout', body: JSON.stringify(entry), offsetMs };
}

function errorObject(failure: DependencyFailure): Record<string, unknown> {
  const { target } = failure;
  if (failure.kind === 'refused') {
    const message = `connect ECONNREFUSED ${target.ip}:${target.port}`;
    return {
      type: 'Error',
      message,
      stack: `Error: ${message}\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1595:16)`,
      errno: -111,
      code: 'ECONNREFUSED',
      syscall: 'connect',
      address: target.ip,
      port: target.port,
    };
  }
  if (failure.kind === 'timeout') {
    const message = `connect ETIMEDOUT ${target.ip}:${target.port}`;
    return {
      type: 'Error',
      message,
      stack: `Error: ${message}\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1595:16)`,
      errno: -110,
      code: 'ETIMEDOUT',
      syscall: 'connect',
      address: target.ip,
      port: target.port,
    };
  }
  if (failure.kind === 'reset') {
    return {
      type: 'Error',
      message: 'socket hang up',
      stack:
        'Error: socket hang up\n    at Socket.socketOnEnd (node:_http_client:524:23)\n    at Socket.emit (node:events:530:35)',
      code: 'ECONNRESET',
    };
  }
  return {
    type: 'HTTPError',
    message: `Request failed with status code ${failure.status}`,
    status: failure.status,
  };
}

function failureLine(ctx: LogContext, req: RequestLog, failure: DependencyFailure): LogLine {
  const { target } = failure;
  const where = `${target.host}:${target.port}`;
  const context =
    target.kind === 'redis'
      ? { redis: where, command: target.detail }
      : { upstream: `http://${where}${target.detail}` };
  const what =
    target.kind === 'redis'
      ? `redis command failed (${where})`
      : `${target.host.split('.')[0]} request failed (${where})`;
  return pino(
    ctx,
    'error',
    what,
    {
      reqId: req.requestId,
      trace_id: req.traceId,
      span_id: req.spanId,
      ...context,
      err: errorObject(failure),
    },
    req.durationMs * 0.8,
  );
}

/** Node.js with pino and pino-http: one JSON object per line. */
export const nodeDialect: LogDialect = {
  startup: (ctx) => [
    pino(ctx, 'info', 'connected to redis', { host: 'redis.data.svc.cluster.local:6379' }, 40),
    pino(
      ctx,
      'info',
      `${ctx.spec.name} listening`,
      { port: ctx.spec.port, version: ctx.version, node: 'v20.11.1' },
      120,
    ),
  ],
  missingEnv: (_ctx, variable) => [
    {
      severity: 'fatal',
      stream: 'stderr',
      body: [
        '/app/dist/config.js:14',
        '    throw new Error(`required environment variable ${name} is not set`);',
        '    ^',
        '',
        `Error: required environment variable ${variable} is not set`,
        '    at requireEnv (/app/dist/config.js:14:11)',
        '    at Object.<anonymous> (/app/dist/config.js:22:23)',
        '    at Module._compile (node:internal/modules/cjs/loader:1376:14)',
        '    at Module.load (node:internal/modules/cjs/loader:1207:32)',
        '    at Module._load (node:internal/modules/cjs/loader:1023:12)',
        '    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:135:12)',
        '    at node:internal/main/run_main_module:28:49',
        '',
        'Node.js v20.11.1',
      ].join('\n'),
    },
  ],
  shutdown: (ctx) => [
    pino(ctx, 'info', 'received SIGTERM, closing server'),
    pino(ctx, 'info', 'server closed', {}, 300),
  ],
  request: (ctx, req) => {
    const lines: LogLine[] = [];
    if (req.failure) lines.push(failureLine(ctx, req, req.failure));
    const e = req.appError;
    if (e) {
      const err = {
        type: e.type,
        message: e.message,
        stack: [`${e.type}: ${e.message}`, ...e.frames].join('\n'),
      };
      const fields = { reqId: req.requestId, trace_id: req.traceId, span_id: req.spanId, err };
      lines.push(pino(ctx, 'error', 'unhandled error in route handler', fields, req.durationMs * 0.9));
    }
    const level = req.status >= 500 ? 'error' : req.status >= 400 || req.durationMs > 1000 ? 'warn' : 'info';
    const msg =
      req.status >= 500 ? 'request errored' : req.durationMs > 1000 ? 'slow request' : 'request completed';
    lines.push(
      pino(
        ctx,
        level,
        msg,
        {
          reqId: req.requestId,
          trace_id: req.traceId,
          span_id: req.spanId,
          req: { method: req.method, url: req.path, remoteAddress: req.clientIp },
          res: { statusCode: req.status },
          responseTime: Math.round(req.durationMs * 10) / 10,
        },
        req.durationMs,
      ),
    );
    return lines;
  },
  benignWarning: (ctx, o) =>
    pino(
      ctx,
      'warn',
      'session cache full, evicting least recently used entries',
      { cache: 'cart-sessions', maxSize: 5000, evicted: ctx.rng.int(20, 400) },
      o,
    ),
  background: (ctx, seconds) => [
    ...offsets(ctx, 1 / 60, seconds).map((o) =>
      pino(ctx, 'warn', 'event loop lag high', { lagMs: ctx.rng.int(120, 400) }, o),
    ),
    // The everyday noise of a healthy service: a client (a mobile app, a load balancer's idle
    // timeout) drops the connection mid-response. Logged as an error, harmless, and what a
    // first `q=error` search on any real fleet turns up.
    ...offsets(ctx, 1 / 20, seconds).map((o) =>
      pino(
        ctx,
        'error',
        'client closed the connection before the response was sent',
        { err: { type: 'Error', message: 'socket hang up', code: 'ECONNRESET' } },
        o,
      ),
    ),
  ],
};
