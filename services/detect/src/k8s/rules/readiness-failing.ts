import { clip, conditionOf, readPod, timeMs } from '../kube-shapes';
import { isFailure, podLabel } from '../pod-containers';
import { FLAP_GUARD_MS, type K8sRule } from '../rule';

/** Not ready this long with failing probes reported (Unhealthy events): longer than most startups. */
const WITH_EVENTS_GRACE_MS = 60_000;
/** Not ready this long without seeing why. */
const WITHOUT_EVENTS_GRACE_MS = 3 * 60_000;

/** A container that failed this recently is restarting, which the container rules report. */
const RECENT_FAILURE_MS = 10 * 60_000;

/**
 * readiness-failing: a running pod whose containers are all running but not ready (Ready False),
 * for a minute when Unhealthy events report failing probes, three minutes otherwise. A pod
 * whose containers are waiting or failed in the last ten minutes is left to the container rules.
 */
export const readinessFailing: K8sRule = {
  kind: 'Pod',
  warningReasons: ['Unhealthy'],
  evaluate(object, ctx) {
    const pod = readPod(object);
    if (pod.status?.phase !== 'Running' || pod.metadata.deletionTimestamp) return [];
    const ready = conditionOf(pod.status.conditions, 'Ready');
    if (ready?.status !== 'False') return [];
    const containers = pod.status.containerStatuses ?? [];
    if (containers.length === 0 || !containers.every((c) => c.state?.running)) return [];
    const restarting = containers.some((c) => {
      const last = c.lastState?.terminated;
      const at = timeMs(last?.finishedAt);
      return last && isFailure(last) && at !== undefined && ctx.nowMs - at < RECENT_FAILURE_MS;
    });
    if (restarting) return [];
    const unready = containers.filter((c) => c.ready !== true).map((c) => c.name);
    if (unready.length === 0) return [];
    const probe = ctx.recentWarning('Unhealthy');
    const names = unready.join(', ');
    return [
      {
        key: 'readiness',
        onsetMs: timeMs(ready.lastTransitionTime),
        graceMs: probe ? WITH_EVENTS_GRACE_MS : WITHOUT_EVENTS_GRACE_MS,
        severity: 'medium',
        clearAfterMs: FLAP_GUARD_MS,
        title: `Not ready: ${podLabel(pod)} (containers running, ${probe ? 'probe failing' : 'not ready'}: ${clip(names, 80)})`,
        explanation: [
          `${podLabel(pod)} is Running but not Ready`,
          ready.lastTransitionTime ? ` since ${ready.lastTransitionTime}` : '',
          `; containers running but not ready: ${names}.`,
          ready.reason ? ` Reason: ${ready.reason}.` : '',
          probe
            ? ` Unhealthy events: ${probe.count}, last: ${clip(probe.message, 500)}`
            : ' No Unhealthy event seen.',
        ].join(''),
        field: 'status.conditions[type=Ready].status',
      },
    ];
  },
};
