/**
 * The root-cause scenarios: one simulator fault each, with its ground truth (the failure modes
 * that name it and the resource they must be on) and a distractor on an unrelated workload: a
 * benign change or some noise a naive ranker would blame. `easy` scenarios leave direct
 * Kubernetes evidence on the faulty workload; the others must be reasoned out from symptoms,
 * topology and timing. The easy ones gate CI (`scenarios.test.ts`); all run in
 * `npm run bench -- scenarios`.
 */
import type { ResourceRef } from '@sleuth/core';

export interface Target {
  cluster: string;
  namespace: string;
  workload: string;
}

export interface Scenario {
  id: string;
  easy: boolean;
  fault: { kind: string; target: Target };
  /** Injected a minute before the fault, on another workload. */
  distractor?: { kind: string; target: Target };
  /** Root-cause failure modes that name the fault correctly. */
  causes: readonly string[];
  /**
   * Where a correct cause must be: `workload` = the faulty workload or one of its pods; `node` =
   * the node the faulty workload's first pod runs on; or a kind (e.g. `NetworkPolicy`,
   * `PersistentVolumeClaim`, `HorizontalPodAutoscaler`) in the workload's namespace whose name
   * starts with the workload's name or contains it.
   */
  on: string;
}

const eu = (namespace: string, workload: string): Target => ({ cluster: 'prod-eu', namespace, workload });
const us = (namespace: string, workload: string): Target => ({ cluster: 'prod-us', namespace, workload });

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'oom-killed',
    easy: true,
    fault: { kind: 'oom_killed', target: eu('payments', 'payments-api') },
    distractor: { kind: 'traffic_surge', target: eu('shop', 'catalog-api') },
    causes: ['oom-killed', 'memory-near-limit'],
    on: 'workload',
  },
  {
    id: 'crash-loop-missing-env',
    easy: true,
    fault: { kind: 'crash_loop', target: us('shop', 'checkout-api') },
    distractor: { kind: 'healthy_rollout', target: us('shop', 'catalog-api') },
    causes: ['crash-loop'],
    on: 'workload',
  },
  {
    id: 'missing-configmap-key',
    easy: true,
    fault: { kind: 'missing_configmap_key', target: eu('shop', 'catalog-api') },
    distractor: { kind: 'log_noise', target: eu('workers', 'order-worker') },
    causes: ['container-config-error', 'missing-key'],
    on: 'workload',
  },
  {
    id: 'image-pull-bad-tag',
    easy: true,
    fault: { kind: 'image_pull_error', target: us('shop', 'catalog-api') },
    distractor: { kind: 'pod_restart', target: us('web', 'storefront') },
    causes: ['image-pull-error'],
    on: 'workload',
  },
  {
    id: 'liveness-wrong-port',
    easy: true,
    fault: { kind: 'liveness_wrong_port', target: eu('web', 'storefront') },
    distractor: { kind: 'healthy_rollout', target: eu('payments', 'payments-api') },
    causes: ['liveness-probe-failing'],
    on: 'workload',
  },
  {
    id: 'readiness-no-endpoints',
    easy: true,
    fault: { kind: 'readiness_failing', target: us('payments', 'payments-api') },
    distractor: { kind: 'log_noise', target: us('data', 'redis') },
    causes: ['readiness-probe-failing'],
    on: 'workload',
  },
  {
    id: 'unschedulable-cpu',
    easy: true,
    fault: { kind: 'unschedulable', target: eu('workers', 'order-worker') },
    distractor: { kind: 'pod_restart', target: eu('shop', 'checkout-api') },
    causes: ['unschedulable'],
    on: 'workload',
  },
  {
    id: 'pvc-pending',
    easy: true,
    fault: { kind: 'pvc_pending', target: us('data', 'postgres') },
    distractor: { kind: 'traffic_surge', target: us('shop', 'checkout-api') },
    causes: ['storage-class-missing', 'provisioning-failed'],
    on: 'PersistentVolumeClaim',
  },
  {
    id: 'dependency-down-database',
    easy: false,
    fault: { kind: 'dependency_down', target: eu('data', 'postgres') },
    distractor: { kind: 'healthy_rollout', target: eu('shop', 'checkout-api') },
    causes: ['readiness-probe-failing', 'dependency-down'],
    on: 'workload',
  },
  {
    id: 'bad-rollout',
    easy: false,
    fault: { kind: 'bad_rollout', target: us('shop', 'catalog-api') },
    distractor: { kind: 'log_noise', target: us('web', 'storefront') },
    causes: ['bad-rollout'],
    on: 'workload',
  },
  {
    id: 'cpu-throttling',
    easy: false,
    fault: { kind: 'cpu_throttling', target: eu('shop', 'checkout-api') },
    distractor: { kind: 'traffic_surge', target: eu('web', 'storefront') },
    causes: ['cpu-throttling'],
    on: 'workload',
  },
  {
    id: 'node-not-ready',
    easy: false,
    fault: { kind: 'node_not_ready', target: us('data', 'redis') },
    distractor: { kind: 'healthy_rollout', target: us('payments', 'payments-api') },
    causes: ['node-not-ready'],
    on: 'node',
  },
  {
    id: 'disk-pressure',
    easy: false,
    fault: { kind: 'disk_pressure', target: eu('workers', 'order-worker') },
    distractor: { kind: 'log_noise', target: eu('shop', 'catalog-api') },
    causes: ['node-pressure'],
    on: 'node',
  },
  {
    id: 'network-policy-block',
    easy: false,
    fault: { kind: 'network_policy_block', target: us('data', 'redis') },
    distractor: { kind: 'pod_restart', target: us('shop', 'catalog-api') },
    causes: ['denies-observed-call'],
    on: 'NetworkPolicy',
  },
  {
    id: 'hpa-at-max',
    easy: false,
    fault: { kind: 'hpa_at_max', target: eu('shop', 'catalog-api') },
    distractor: { kind: 'healthy_rollout', target: eu('workers', 'order-worker') },
    causes: ['hpa-at-max'],
    on: 'HorizontalPodAutoscaler',
  },
];

/** Whether `r` is the faulty workload or one of its pods / ReplicaSets. */
export function onWorkload(r: ResourceRef, t: Target): boolean {
  return (
    r.cluster === t.cluster &&
    r.namespace === t.namespace &&
    (r.name === t.workload || r.name.startsWith(`${t.workload}-`))
  );
}
