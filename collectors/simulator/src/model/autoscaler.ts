import type { InvolvedObject } from '../k8s/types';
import { readyAt } from './history';
import type { ClusterRuntime } from './runtime';
import { isLive, type HpaCondition, type HpaState, type WorkloadState } from './state';

/** The controller's sync period (`--horizontal-pod-autoscaler-sync-period`). */
export const HPA_SYNC_MS = 15_000;
/** Scale-down stabilisation: the highest recommendation of the last five minutes wins. */
export const SCALE_DOWN_WINDOW_MS = 300_000;
/** Ratios within 10% of 1 change nothing (`--horizontal-pod-autoscaler-tolerance`). */
const TOLERANCE = 0.1;

const METRIC = 'cpu resource utilization (percentage of request)';

/** The HPA as an event's involved object. */
export function hpaRef(w: WorkloadState, hpa: HpaState): InvolvedObject {
  return {
    kind: 'HorizontalPodAutoscaler',
    name: hpa.name,
    uid: hpa.uid,
    apiVersion: 'autoscaling/v2',
    namespace: w.spec.namespace,
  };
}

/** A healthy HPA's state when the fleet starts: at its minimum, conditions long settled. */
export function newHpa(
  w: WorkloadState,
  uid: string,
  maxReplicas: number,
  targetUtilization: number,
): HpaState {
  const since = w.createdMs + 60_000;
  const cond = (status: 'True' | 'False', reason: string, message: string): HpaCondition => ({
    status,
    reason,
    message,
    lastTransitionMs: since,
  });
  return {
    name: w.spec.name,
    uid,
    createdMs: w.createdMs,
    minReplicas: w.spec.replicas,
    maxReplicas,
    targetUtilization,
    desiredReplicas: w.spec.replicas,
    recommendations: [],
    ableToScale: cond('True', 'ReadyForNewScale', 'recommended size matches current size'),
    scalingActive: cond(
      'True',
      'ValidMetricFound',
      `the HPA was able to successfully calculate a replica count from ${METRIC}`,
    ),
    scalingLimited: cond(
      'True',
      'TooFewReplicas',
      'the desired replica count is less than the minimum replica count',
    ),
  };
}

function setCondition(
  c: HpaCondition,
  atMs: number,
  status: 'True' | 'False',
  reason: string,
  message: string,
): void {
  if (c.status !== status) c.lastTransitionMs = atMs;
  c.status = status;
  c.reason = reason;
  c.message = message;
}

/**
 * One sync of a workload's HPA at `atMs`, as the controller does it: the pods' average CPU
 * utilisation (from the last scrape, as metrics-server reports it; pods not ready are left out)
 * over the target gives a ratio; within 10% of 1 nothing changes, else the recommendation is
 * ceil(current × ratio), at most double (or 4 more) per sync, within [min, max]. A scale-down
 * takes the highest recommendation of the last five minutes. A change sets the Deployment's
 * replicas with a SuccessfulRescale event.
 */
function sync(rt: ClusterRuntime, w: WorkloadState, hpa: HpaState, atMs: number): void {
  const request = (w.spec.cpuRequestMilli || 1) / 1000;
  const measured = w.pods.filter((p) => isLive(p) && p.cpuCores !== undefined && readyAt(p.container, atMs));
  if (measured.length === 0) return;
  const cores = measured.reduce((n, p) => n + (p.cpuCores ?? 0), 0) / measured.length;
  const utilization = Math.round((cores / request) * 100);
  hpa.currentUtilization = utilization;
  hpa.currentMilli = Math.round(cores * 1000);
  const current = w.spec.replicas;
  const ratio = utilization / hpa.targetUtilization;
  let raw = Math.abs(ratio - 1) <= TOLERANCE ? current : Math.ceil(measured.length * ratio);
  raw = Math.min(raw, Math.max(current * 2, current + 4));
  const bounded = Math.min(hpa.maxReplicas, Math.max(hpa.minReplicas, raw));
  if (raw > hpa.maxReplicas)
    setCondition(
      hpa.scalingLimited,
      atMs,
      'True',
      'TooManyReplicas',
      'the desired replica count is more than the maximum replica count',
    );
  else if (raw < hpa.minReplicas)
    setCondition(
      hpa.scalingLimited,
      atMs,
      'True',
      'TooFewReplicas',
      'the desired replica count is less than the minimum replica count',
    );
  else
    setCondition(
      hpa.scalingLimited,
      atMs,
      'False',
      'DesiredWithinRange',
      'the desired count is within the acceptable range',
    );
  hpa.recommendations = hpa.recommendations.filter((r) => r.atMs > atMs - SCALE_DOWN_WINDOW_MS);
  hpa.recommendations.push({ atMs, replicas: bounded });
  const stabilized = Math.max(...hpa.recommendations.map((r) => r.replicas));
  const desired = bounded < current ? Math.min(current, stabilized) : bounded;
  hpa.desiredReplicas = desired;
  if (desired === current) {
    if (bounded < current)
      setCondition(
        hpa.ableToScale,
        atMs,
        'True',
        'ScaleDownStabilized',
        'recent recommendations were higher than current one, applying the highest recent recommendation',
      );
    else
      setCondition(
        hpa.ableToScale,
        atMs,
        'True',
        'ReadyForNewScale',
        'recommended size matches current size',
      );
    return;
  }
  w.spec.replicas = desired;
  hpa.lastScaleMs = atMs;
  setCondition(
    hpa.ableToScale,
    atMs,
    'True',
    'SucceededRescale',
    `the HPA controller was able to update the target scale to ${desired}`,
  );
  rt.events.record(
    hpaRef(w, hpa),
    'Normal',
    'SuccessfulRescale',
    `New size: ${desired}; reason: ${desired > current ? `${METRIC} above target` : 'All metrics below target'}`,
    atMs,
    { component: 'horizontal-pod-autoscaler' },
  );
}

/** Runs the cluster's HPAs at each sync moment in (fromMs, toMs]. */
export function runAutoscalers(rt: ClusterRuntime, fromMs: number, toMs: number): void {
  const first = Math.floor(fromMs / HPA_SYNC_MS) + 1;
  const last = Math.floor(toMs / HPA_SYNC_MS);
  for (let n = first; n <= last; n++) {
    for (const w of rt.state.workloads) if (w.hpa) sync(rt, w, w.hpa, n * HPA_SYNC_MS);
  }
}
