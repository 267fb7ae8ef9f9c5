import type { Severity } from './rule';

/** What a Warning event is about. */
export type EventCategory =
  | 'crash'
  | 'container'
  | 'image'
  | 'probe'
  | 'oom'
  | 'scheduling'
  | 'eviction'
  | 'node'
  | 'storage'
  | 'network'
  | 'controller'
  | 'autoscaling'
  | 'job'
  | 'other';

/** How a Warning event reason is classified. */
export interface EventClass {
  category: EventCategory;
  severity: Severity;
}

/**
 * Warning event reasons Sleuth knows (kubelet, scheduler, controllers, node-problem-detector),
 * with what they are about and how bad. Unknown reasons are `UNKNOWN_WARNING`. Kubernetes reuses
 * some reasons (`Failed` covers image pulls and container creation; the message tells which).
 */
export const WARNING_REASONS: Readonly<Record<string, EventClass>> = {
  BackOff: { category: 'crash', severity: 'high' },
  Failed: { category: 'container', severity: 'high' },
  InspectFailed: { category: 'image', severity: 'high' },
  ErrImageNeverPull: { category: 'image', severity: 'high' },
  FailedPostStartHook: { category: 'container', severity: 'medium' },
  FailedPreStopHook: { category: 'container', severity: 'low' },
  ExceededGracePeriod: { category: 'container', severity: 'low' },
  Unhealthy: { category: 'probe', severity: 'medium' },
  ProbeWarning: { category: 'probe', severity: 'low' },
  OOMKilling: { category: 'oom', severity: 'high' },
  SystemOOM: { category: 'oom', severity: 'high' },
  FailedScheduling: { category: 'scheduling', severity: 'medium' },
  Preempted: { category: 'scheduling', severity: 'medium' },
  Evicted: { category: 'eviction', severity: 'medium' },
  Evicting: { category: 'eviction', severity: 'medium' },
  EvictionThresholdMet: { category: 'node', severity: 'high' },
  NodeNotReady: { category: 'node', severity: 'high' },
  Rebooted: { category: 'node', severity: 'medium' },
  KernelOops: { category: 'node', severity: 'high' },
  TaskHung: { category: 'node', severity: 'medium' },
  ContainerGCFailed: { category: 'node', severity: 'medium' },
  ImageGCFailed: { category: 'node', severity: 'medium' },
  FreeDiskSpaceFailed: { category: 'node', severity: 'medium' },
  FailedMount: { category: 'storage', severity: 'medium' },
  FailedAttachVolume: { category: 'storage', severity: 'medium' },
  FailedMapVolume: { category: 'storage', severity: 'medium' },
  ProvisioningFailed: { category: 'storage', severity: 'medium' },
  VolumeResizeFailed: { category: 'storage', severity: 'low' },
  FailedCreatePodSandBox: { category: 'network', severity: 'high' },
  FailedKillPod: { category: 'container', severity: 'medium' },
  NetworkNotReady: { category: 'network', severity: 'high' },
  FailedCreate: { category: 'controller', severity: 'high' },
  FailedDelete: { category: 'controller', severity: 'low' },
  FailedSync: { category: 'controller', severity: 'low' },
  BackoffLimitExceeded: { category: 'job', severity: 'high' },
  DeadlineExceeded: { category: 'job', severity: 'medium' },
  FailedGetResourceMetric: { category: 'autoscaling', severity: 'low' },
  FailedGetExternalMetric: { category: 'autoscaling', severity: 'low' },
  FailedComputeMetricsReplicas: { category: 'autoscaling', severity: 'low' },
  FailedGetScale: { category: 'autoscaling', severity: 'low' },
  FailedRescale: { category: 'autoscaling', severity: 'medium' },
};

/** The class of a Warning reason the table does not list. */
export const UNKNOWN_WARNING: EventClass = { category: 'other', severity: 'low' };

/** The class of a Warning event reason. */
export function classifyWarning(
  reason: string,
  table: Readonly<Record<string, EventClass>> = WARNING_REASONS,
): EventClass {
  return Object.hasOwn(table, reason) ? (table[reason] ?? UNKNOWN_WARNING) : UNKNOWN_WARNING;
}
