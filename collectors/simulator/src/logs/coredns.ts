import type { LogContext, LogDialect, LogLine } from './dialect';
import { offsets } from './dialect';

const line = (severity: LogLine['severity'], body: string, offsetMs = 0): LogLine => ({
  severity,
  stream: 'stdout',
  body,
  offsetMs,
});

/** CoreDNS 1.11 with the `errors` plugin (query logging off, as in EKS). */
export const corednsDialect: LogDialect = {
  startup: () => [
    line('info', '.:53'),
    line(
      'info',
      '[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908',
      1,
    ),
    line('info', 'CoreDNS-1.11.1', 2),
    line('info', 'linux/amd64, go1.20.7, ae2bbc2', 2),
  ],
  missingEnv: (_ctx: LogContext, variable) => [
    line('error', `plugin/kubernetes: required environment variable ${variable} is not set`),
  ],
  shutdown: () => [
    line('info', '[INFO] SIGTERM: Shutting down servers then terminating'),
    line('info', '[INFO] plugin/health: Going into lameduck mode for 5s', 1),
  ],
  request: () => [],
  benignWarning: (ctx, o) =>
    line(
      'warn',
      `[WARNING] plugin/health: Local health request to "http://:8080/health" took more than 1s: 1.${ctx.rng.int(0, 999)}${ctx.rng.int(100_000, 999_999)}s`,
      o,
    ),
  background: (ctx, seconds) =>
    offsets(ctx, 1 / 900, seconds).map((o) =>
      line(
        'error',
        `[ERROR] plugin/errors: 2 api.payments-provider.example. AAAA: read udp ${ctx.podIp}:${ctx.rng.int(30000, 60000)}->169.254.169.253:53: i/o timeout`,
        o,
      ),
    ),
};
