import type { FaultBehavior } from './fault-behavior';
import type { FaultKind } from './fault-schema';
import { badRollout } from './bad-rollout';
import { cpuThrottling } from './cpu-throttling';
import { crashLoop } from './crash-loop';
import { dependencyDown } from './dependency-down';
import { diskPressure } from './disk-pressure';
import { healthyRollout } from './healthy-rollout';
import { hpaAtMax } from './hpa-at-max';
import { imagePullError } from './image-pull-error';
import { livenessWrongPort } from './liveness-wrong-port';
import { logNoise } from './log-noise';
import { missingConfigMapKey } from './missing-configmap-key';
import { networkPolicyBlock } from './network-policy-block';
import { nodeNotReady } from './node-not-ready';
import { oomKilled } from './oom-killed';
import { podRestart } from './pod-restart';
import { pvcPending } from './pvc-pending';
import { readinessFailing } from './readiness-failing';
import { trafficSurge } from './traffic-surge';
import { unschedulable } from './unschedulable';

/** Every fault kind's behaviour; adding a kind is a file and one entry here. */
export const FAULT_BEHAVIORS = {
  oom_killed: oomKilled,
  crash_loop: crashLoop,
  image_pull_error: imagePullError,
  dependency_down: dependencyDown,
  missing_configmap_key: missingConfigMapKey,
  liveness_wrong_port: livenessWrongPort,
  readiness_failing: readinessFailing,
  unschedulable,
  bad_rollout: badRollout,
  cpu_throttling: cpuThrottling,
  node_not_ready: nodeNotReady,
  disk_pressure: diskPressure,
  network_policy_block: networkPolicyBlock,
  pvc_pending: pvcPending,
  hpa_at_max: hpaAtMax,
  healthy_rollout: healthyRollout,
  traffic_surge: trafficSurge,
  log_noise: logNoise,
  pod_restart: podRestart,
} satisfies Record<FaultKind, FaultBehavior>;
