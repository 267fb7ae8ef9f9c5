import { runningAt } from '../model/history';
import { dialectOf, logContext, writeContainerLines } from '../logs/container-logs';
import { isLive } from '../model/state';
import type { FaultBehavior } from './fault-behavior';

/** Warnings per second the workload writes in all, spread over its running pods. */
const LINES_PER_SECOND = 3;

/**
 * log_noise (benign): the workload writes a burst of WARN lines of a template it never wrote
 * before, in its own log format (a cache-eviction or deprecation warning: pino JSON for Node, slog
 * for Go, Logback for Java, `py.warnings` for Python, nginx's `[warn]`, PostgreSQL's `WARNING:`,
 * Redis' `#`, CoreDNS' `[WARNING]`), about three lines per second, while the fault lasts. Nothing
 * else changes.
 */
export const logNoise: FaultBehavior = {
  benign: true,
  unsupported: () => undefined,
  describe: (w) =>
    `${w.spec.name} logs about ${LINES_PER_SECOND} WARN lines per second of a new, harmless kind; nothing else changes.`,
  begin: () => undefined,
  during(rt, w, window, beganMs) {
    const fromMs = Math.max(window.fromMs, beganMs);
    const seconds = (window.toMs - fromMs) / 1000;
    const pods = w.pods.filter((p) => isLive(p) && runningAt(p.container, fromMs));
    if (seconds <= 0 || pods.length === 0) return;
    const dialect = dialectOf(w);
    for (const pod of pods) {
      const count = rt.rng.poisson((LINES_PER_SECOND / pods.length) * seconds);
      const at: number[] = [];
      for (let i = 0; i < count; i++) at.push(rt.rng.float(0, seconds * 1000));
      at.sort((a, b) => a - b);
      const ctx = logContext(rt, w, pod, fromMs);
      writeContainerLines(
        rt,
        w,
        pod,
        fromMs,
        at.map((o) => dialect.benignWarning(ctx, o)),
      );
    }
  },
  end: () => undefined,
};
