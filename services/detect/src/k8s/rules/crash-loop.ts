import { readPod, timeMs } from '../kube-shapes';
import {
  containersOf,
  describeTermination,
  isFailure,
  lastTermination,
  notReadySinceMs,
  podLabel,
} from '../pod-containers';
import type { Finding, K8sRule } from '../rule';

/** The kubelet forgets a container's back-off after it ran this long; a failure older than that is history. */
const RECENT_FAILURE_MS = 10 * 60_000;
/** A first crash is reported only if the back-off lasts this long (normally the retry comes after 10 s). */
const FIRST_CRASH_GRACE_MS = 60_000;
/** The longest kubelet back-off: a container ready for less than this between crashes is still looping. */
const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * crash-loop: a container (or init container) that keeps failing: waiting in CrashLoopBackOff
 * after at least two failures (or one back-off that lasts), or running again unready after two
 * or more restarts with a recent non-zero exit. OOM kills are left to the oom-killed rule.
 */
export const crashLoop: K8sRule = {
  kind: 'Pod',
  evaluate(object, ctx) {
    const pod = readPod(object);
    const out: Finding[] = [];
    for (const c of containersOf(pod)) {
      const last = lastTermination(c);
      if (last?.terminated.reason === 'OOMKilled') continue;
      const restarts = c.status.restartCount ?? 0;
      const waiting = c.status.state?.waiting;
      const finishedMs = timeMs(last?.terminated.finishedAt);
      const failedRecently =
        last !== undefined &&
        isFailure(last.terminated) &&
        finishedMs !== undefined &&
        ctx.nowMs - finishedMs < RECENT_FAILURE_MS;
      const backOff = waiting?.reason === 'CrashLoopBackOff';
      const looping = backOff
        ? restarts >= 1 || finishedMs === undefined || ctx.nowMs - finishedMs >= FIRST_CRASH_GRACE_MS
        : failedRecently && restarts >= 2 && c.status.ready !== true;
      if (!looping) continue;
      const what = `${c.label} in ${podLabel(pod)}`;
      const lines = [
        backOff
          ? `${what} is waiting in CrashLoopBackOff${waiting.message ? ` (${waiting.message})` : ''}.`
          : `${what} is running again but not ready after failing.`,
        `Restarts: ${restarts}.`,
      ];
      if (last) lines.push(`Last termination: ${describeTermination(last.terminated)}.`);
      out.push({
        key: c.status.name,
        onsetMs: notReadySinceMs(pod) ?? finishedMs,
        clearAfterMs: MAX_BACKOFF_MS,
        severity: 'high',
        title: backOff
          ? `CrashLoopBackOff: ${what} (restarts ${restarts})`
          : `Crashing: ${what} (restarts ${restarts}, last exit ${last?.terminated.exitCode ?? '?'})`,
        explanation: lines.join(' '),
        field: backOff ? `${c.field}.state.waiting.reason` : `${c.field}.lastState.terminated.exitCode`,
      });
    }
    return out;
  },
};
