import type { WorkloadState } from '../model/state';
import { endSurge, startSurge } from '../traffic/surge';
import type { FaultBehavior } from './fault-behavior';

/** At maxReplicas the pods run at this multiple of the HPA's target utilisation. */
const OVER_TARGET = 1.4;

/**
 * How many times its normal load the workload gets: enough that, at maxReplicas, its pods run at
 * 1.4× the target utilisation, from the utilisation the HPA last measured (of which the idle
 * share does not grow with load), between 3× and 30×.
 */
function loadFactor(w: WorkloadState): number {
  const hpa = w.hpa;
  if (!hpa) return 1;
  const idle = (w.spec.cpuIdleCores * 100_000) / (w.spec.cpuRequestMilli || 1);
  const now = hpa.currentUtilization ?? hpa.targetUtilization / 4;
  const perRequest = Math.max(1, now - idle);
  const k = ((OVER_TARGET * hpa.targetUtilization - idle) * hpa.maxReplicas) / (perRequest * w.spec.replicas);
  return Math.min(30, Math.max(3, k));
}

/**
 * hpa_at_max: sustained load several times normal on a workload with a HorizontalPodAutoscaler
 * (end-user requests on the routes that reach it, ramping up over a minute). The HPA scales up
 * (SuccessfulRescale) to its maxReplicas and stays there, ScalingLimited True TooManyReplicas;
 * CPU per pod stays above the target, the pods queue and requests slow down, reaching the
 * callers. At the end the load returns to normal and, after the five-minute scale-down
 * stabilisation, the HPA scales back to its minimum.
 */
export const hpaAtMax: FaultBehavior = {
  unsupported: (w) =>
    w.hpa ? undefined : `hpa_at_max needs a workload with a HorizontalPodAutoscaler; ${w.spec.name} has none`,
  describe: (w) =>
    `${w.spec.name} gets about ${loadFactor(w).toFixed(0)}× its normal load; its HPA scales to maxReplicas ${w.hpa?.maxReplicas ?? '?'} and stays there (ScalingLimited TooManyReplicas) while CPU stays above the ${w.hpa?.targetUtilization ?? '?'}% target and requests slow down.`,
  begin(_rt, w, atMs) {
    startSurge(w, loadFactor(w), atMs);
  },
  end(_rt, w, atMs) {
    endSurge(w, atMs);
  },
};
