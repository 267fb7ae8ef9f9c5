import { describe, expect, it } from 'vitest';
import { shopWorkloads } from '../fleet/workloads';
import { Rng } from '../random';
import { DIALECTS } from './registry';

const AT = Date.parse('2024-05-01T12:00:00Z');

/** How each format's lines start, as its usual lines do. */
const SHAPES = {
  nginx:
    /^2024\/05\/01 12:00:01 \[warn\] \d+#\d+: \*\d+ a client request body is buffered to a temporary file /,
  node: /^\{"level":40,"time":1714564801000,"pid":1,"hostname":"p-1",.*"msg":"session cache full, evicting least recently used entries"\}$/,
  java: /^2024-05-01T12:00:01\.000Z {2}WARN 1 --- \[payments-api\] \[http-nio-8080-exec-\d+\] c\.e\.payments\.api\.ApiVersionFilter +: Deprecated header X-Api-Version: 1 /,
  go: /^time=2024-05-01T12:00:01\.000Z level=WARN msg="local cache full, evicting entries" cache=products capacity=5000 evicted=\d+$/,
  python: /^2024-05-01 12:00:01,000 WARNING \[py\.warnings\] .*DeprecationWarning: /,
  postgres: /^2024-05-01 12:00:01\.000 UTC \[\d+\] WARNING: {2}there is no transaction in progress$/,
  redis:
    /^1:M 01 May 2024 12:00:01\.000 # Client id=\d+ .* scheduled to be closed ASAP for overcoming of output buffer limits\.$/,
  coredns:
    /^\[WARNING\] plugin\/health: Local health request to "http:\/\/:8080\/health" took more than 1s: 1\.\d+s$/,
} as const;

/** Text of the new template that nothing else in each format writes. */
const MARKERS = {
  nginx: 'client request body is buffered',
  node: 'session cache full',
  java: 'Deprecated header',
  go: 'local cache full',
  python: 'DeprecationWarning',
  postgres: 'no transaction in progress',
  redis: 'output buffer limits',
  coredns: 'Local health request',
} as const;

describe('benign warnings (log_noise)', () => {
  it('are WARN lines in each format, of a kind its background noise never writes', () => {
    for (const spec of shopWorkloads()) {
      const dialect = DIALECTS[spec.logFormat];
      const ctx = {
        rng: new Rng(3),
        spec,
        pod: 'p-1',
        podIp: '10.20.101.7',
        version: spec.version,
        atMs: AT,
      };
      const line = dialect.benignWarning(ctx, 1000);
      expect(line.severity, spec.name).toBe('warn');
      expect(line.offsetMs).toBe(1000);
      expect(line.body, spec.name).toMatch(SHAPES[spec.logFormat]);
      const background = dialect.background({ ...ctx, rng: new Rng(4) }, 3600).map((l) => l.body);
      expect(
        background.some((b) => b.includes(MARKERS[spec.logFormat])),
        spec.name,
      ).toBe(false);
    }
  });
});
