import { dialectOf, logContext, writeContainerLines } from '../logs/container-logs';
import type { FaultBehavior } from './fault-behavior';

/**
 * dependency_down: the database crashes into recovery and refuses connections. Its readiness
 * probe fails (Unhealthy events, out of the Service endpoints), so every caller's connection to
 * the Service is refused: error logs naming the host and port, failed client spans, 5xx and
 * slower requests up the call graph. At the end recovery completes and it accepts connections.
 */
export const dependencyDown: FaultBehavior = {
  unsupported: (w) =>
    w.spec.component === 'database'
      ? undefined
      : `dependency_down makes a database refuse connections; ${w.spec.name} is not a database (role: ${w.spec.component}), pick one such as postgres`,
  describe: (w) =>
    `${w.spec.name} refuses connections (${w.spec.serviceName}.${w.spec.namespace}.svc.cluster.local:${w.spec.port}); its readiness probe fails.`,
  begin(rt, w, atMs) {
    for (const pod of w.pods) {
      if (pod.deletingAtMs !== undefined) continue;
      pod.refusing.push({ fromMs: atMs, toMs: Number.POSITIVE_INFINITY });
      pod.container.readinessFailure = {
        message: `127.0.0.1:${w.spec.port} - rejecting connections`,
        nextProbeMs: atMs + rt.rng.int(500, w.spec.readinessProbe.periodSeconds * 1000),
        failures: 0,
      };
      const lines = dialectOf(w).outageStart?.(logContext(rt, w, pod, atMs));
      if (lines) writeContainerLines(rt, w, pod, atMs, lines);
    }
  },
  end(rt, w, atMs, beganMs) {
    for (const pod of w.pods) {
      const open = pod.refusing.find((r) => r.toMs === Number.POSITIVE_INFINITY);
      if (open) open.toMs = atMs;
      const c = pod.container;
      if (!c.readinessFailure) continue;
      c.readinessFailure = undefined;
      if (!c.ready) c.readyAtMs = atMs + rt.rng.int(1000, w.spec.readinessProbe.periodSeconds * 1000);
      const lines = dialectOf(w).outageEnd?.(logContext(rt, w, pod, atMs), beganMs);
      if (lines) writeContainerLines(rt, w, pod, atMs, lines);
    }
  },
};
