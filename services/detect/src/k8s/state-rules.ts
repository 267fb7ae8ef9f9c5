import type { K8sRule } from './rule';
import { containerConfigError } from './rules/container-config-error';
import { crashLoop } from './rules/crash-loop';
import { daemonSetUnavailable } from './rules/daemonset-unavailable';
import { deploymentUnavailable } from './rules/deployment-unavailable';
import { evicted } from './rules/evicted';
import { hpaAtMax } from './rules/hpa-at-max';
import { imagePull } from './rules/image-pull';
import { jobFailed } from './rules/job-failed';
import { nodeNotReady } from './rules/node-not-ready';
import { nodePressure } from './rules/node-pressure';
import { oomKilled } from './rules/oom-killed';
import { pvcPending } from './rules/pvc-pending';
import { readinessFailing } from './rules/readiness-failing';
import { rolloutStalled } from './rules/rollout-stalled';
import { statefulSetUnavailable } from './rules/statefulset-unavailable';
import { unschedulable } from './rules/unschedulable';

/**
 * Every Kubernetes state rule, by id; the id is part of each anomaly's key, so renaming one
 * changes the ids of its anomalies. Adding a failure mode is a file in rules/ and one entry here.
 */
export const K8S_STATE_RULES = {
  'crash-loop': crashLoop,
  'oom-killed': oomKilled,
  'image-pull': imagePull,
  'container-config-error': containerConfigError,
  unschedulable,
  'readiness-failing': readinessFailing,
  evicted,
  'node-not-ready': nodeNotReady,
  'node-pressure': nodePressure,
  'pvc-pending': pvcPending,
  'deployment-unavailable': deploymentUnavailable,
  'rollout-stalled': rolloutStalled,
  'statefulset-unavailable': statefulSetUnavailable,
  'daemonset-unavailable': daemonSetUnavailable,
  'hpa-at-max': hpaAtMax,
  'job-failed': jobFailed,
} as const satisfies Record<string, K8sRule>;

export type K8sStateRuleId = keyof typeof K8S_STATE_RULES;
