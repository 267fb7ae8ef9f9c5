import { memoryLimitBytes } from '../model/pods';
import { restartedTemplate, startRollout } from '../model/rollout';
import type { FaultBehavior } from './fault-behavior';

/**
 * oom_killed: the app leaks memory. Each container's working set climbs to its limit within a
 * minute or two and the kernel kills it (OOMKilled, exit 137); the kubelet restarts it with
 * growing back-off (CrashLoopBackOff) and the leak starts over. Callers see resets and refusals.
 * At the end a rolling restart with a fixed build replaces every pod.
 */
export const oomKilled: FaultBehavior = {
  unsupported: () => undefined,
  describe: (w) =>
    `${w.spec.name} leaks memory until the kernel kills it at its ${w.spec.memoryLimitMi}Mi limit (OOMKilled), over and over.`,
  begin(rt, w) {
    const limit = memoryLimitBytes(w);
    for (const pod of w.pods) {
      if (pod.deletingAtMs !== undefined) continue;
      pod.container.leakBytesPerSec = (limit * (1 - w.spec.memoryBaseline * 0.6)) / rt.rng.float(40, 120);
    }
  },
  end(rt, w, atMs) {
    startRollout(rt, w, atMs, restartedTemplate(w, atMs), w.spec.replicas);
  },
};
