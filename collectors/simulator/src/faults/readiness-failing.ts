import type { FaultBehavior } from './fault-behavior';

/**
 * readiness_failing: the app's readiness endpoint starts answering 503 (its own check of
 * something it thinks it needs fails) while the process keeps running. After three failed
 * probes (Warning Unhealthy "Readiness probe failed: HTTP probe failed with statuscode: 503")
 * every pod is NotReady and leaves the Service's endpoints (notReadyAddresses only), so callers'
 * connections to the Service are refused: error logs naming the Service, failed client spans,
 * 5xx up the call graph. At the end the check passes again and the pods rejoin the endpoints.
 */
export const readinessFailing: FaultBehavior = {
  unsupported: (w) => {
    if (w.spec.component !== 'api') {
      return `readiness_failing empties a Service other workloads call; ${w.spec.name} is not such an API (role: ${w.spec.component}), pick one such as checkout-api`;
    }
    if (w.spec.readinessProbe.type !== 'http') return `${w.spec.name} has no HTTP readiness probe`;
    return undefined;
  },
  describe: (w) => {
    const path = w.spec.readinessProbe.type === 'http' ? w.spec.readinessProbe.path : '';
    return `${w.spec.name}'s readiness endpoint ${path} answers 503, so its pods leave the ${w.spec.serviceName} Service endpoints and callers are refused.`;
  },
  begin(rt, w, atMs) {
    for (const pod of w.pods) {
      if (pod.deletingAtMs !== undefined) continue;
      pod.container.readinessFailure = {
        message: 'HTTP probe failed with statuscode: 503',
        nextProbeMs: atMs + rt.rng.int(500, w.spec.readinessProbe.periodSeconds * 1000),
        failures: 0,
      };
    }
  },
  end(rt, w, atMs) {
    for (const pod of w.pods) {
      const c = pod.container;
      if (!c.readinessFailure) continue;
      c.readinessFailure = undefined;
      if (!c.ready) c.readyAtMs = atMs + rt.rng.int(1000, w.spec.readinessProbe.periodSeconds * 1000);
    }
  },
};
