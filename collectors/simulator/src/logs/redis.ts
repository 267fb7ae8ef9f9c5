import type { LogContext, LogDialect, LogLine } from './dialect';
import { offsets } from './dialect';
import { redisTime } from './time-formats';

/** Redis: `pid:role dd Mon yyyy hh:mm:ss.mmm <mark> message` (mark `#` is a warning). */
function r(
  ctx: LogContext,
  role: string,
  mark: '*' | '#' | '.',
  msg: string,
  offsetMs = 0,
  pid = 1,
): LogLine {
  return {
    severity: mark === '#' ? 'warn' : 'info',
    stream: 'stdout',
    body: `${pid}:${role} ${redisTime(ctx.atMs + offsetMs)} ${mark} ${msg}`,
    offsetMs,
  };
}

function save(ctx: LogContext, at: number): LogLine[] {
  const child = ctx.rng.int(100, 4000);
  return [
    r(ctx, 'M', '*', `${ctx.rng.int(100, 2000)} changes in 300 seconds. Saving...`, at),
    r(ctx, 'M', '*', `Background saving started by pid ${child}`, at + 1),
    r(ctx, 'C', '*', 'DB saved on disk', at + 180, child),
    r(ctx, 'C', '*', `Fork CoW for RDB: current 1 MB, peak 1 MB, average 1 MB`, at + 181, child),
    r(ctx, 'M', '*', 'Background saving terminated with success', at + 200),
  ];
}

/** Redis 7.2 (official image). */
export const redisDialect: LogDialect = {
  startup: (ctx) => [
    r(ctx, 'C', '#', 'oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo'),
    r(ctx, 'C', '#', 'Redis version=7.2.4, bits=64, commit=00000000, modified=0, pid=1, just started', 1),
    r(ctx, 'M', '*', 'Running mode=standalone, port=6379.', 3),
    r(ctx, 'M', '*', 'Server initialized', 4),
    r(ctx, 'M', '*', `Loading RDB produced by version 7.2.4`, 5),
    r(ctx, 'M', '*', 'Ready to accept connections tcp', 40),
  ],
  missingEnv: (ctx, variable) => [
    r(ctx, 'C', '#', `Fatal error, can't open config file: ${variable} is not set`),
  ],
  shutdown: (ctx) => [
    r(ctx, 'M', '#', 'User requested shutdown...'),
    r(ctx, 'M', '*', 'Saving the final RDB snapshot before exiting.', 1),
    r(ctx, 'M', '*', 'DB saved on disk', 120),
    r(ctx, 'M', '#', 'Redis is now ready to exit, bye bye...', 125),
  ],
  request: () => [],
  benignWarning: (ctx, o) =>
    r(
      ctx,
      'M',
      '#',
      `Client id=${ctx.rng.int(1000, 99_999)} addr=10.${ctx.rng.int(0, 255)}.${ctx.rng.int(100, 110)}.${ctx.rng.int(2, 250)}:${ctx.rng.int(30_000, 60_000)} ` +
        `laddr=${ctx.podIp}:6379 fd=${ctx.rng.int(9, 60)} name= age=${ctx.rng.int(0, 900)} idle=0 flags=N db=0 cmd=get ` +
        'scheduled to be closed ASAP for overcoming of output buffer limits.',
      o,
    ),
  background: (ctx, seconds) => offsets(ctx, 1 / 300, seconds).flatMap((o) => save(ctx, o)),
};
