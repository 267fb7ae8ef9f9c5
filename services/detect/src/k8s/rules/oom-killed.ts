import { readPod, timeMs } from '../kube-shapes';
import {
  containersOf,
  describeTermination,
  lastTermination,
  memoryLimitOf,
  podLabel,
} from '../pod-containers';
import type { Finding, K8sRule } from '../rule';

/** An OOM kill counts as current for this long after it happened. */
const RECENT_KILL_MS = 10 * 60_000;

/**
 * oom-killed: a container whose latest termination is OOMKilled, within the last ten minutes
 * (each new kill renews it, so a leak that kills the container over and over is one anomaly).
 */
export const oomKilled: K8sRule = {
  kind: 'Pod',
  evaluate(object, ctx) {
    const pod = readPod(object);
    const out: Finding[] = [];
    for (const c of containersOf(pod)) {
      const last = lastTermination(c);
      if (last?.terminated.reason !== 'OOMKilled') continue;
      const killedMs = timeMs(last.terminated.finishedAt);
      // Without a time, only a container still showing the kill (terminated or backing off) counts.
      const current =
        killedMs === undefined ? !c.status.state?.running : ctx.nowMs - killedMs < RECENT_KILL_MS;
      if (!current) continue;
      const restarts = c.status.restartCount ?? 0;
      const limit = memoryLimitOf(pod, c);
      const what = `${c.label} in ${podLabel(pod)}`;
      const waiting = c.status.state?.waiting?.reason;
      out.push({
        key: c.status.name,
        onsetMs: killedMs,
        severity: 'high',
        title: `OOMKilled: ${what} (restarts ${restarts})`,
        explanation: [
          `${what} was killed for exceeding its memory${limit ? ` limit of ${limit}` : ''}.`,
          `Termination: ${describeTermination(last.terminated)}.`,
          `Restarts: ${restarts}.`,
          ...(waiting ? [`Now waiting: ${waiting}.`] : []),
        ].join(' '),
        field: `${last.field}.reason`,
      });
    }
    return out;
  },
};
