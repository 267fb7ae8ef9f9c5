import type { ClusterSpec, WorkloadSpec } from '../fleet/types';

/** A change of a container's running/ready state; routing and log emission read these. */
export interface Transition {
  atMs: number;
  running: boolean;
  ready: boolean;
}

/** How a container instance ended (Kubernetes' ContainerStateTerminated). */
export interface TerminatedInfo {
  exitCode: number;
  reason: string;
  startedAtMs: number;
  finishedAtMs: number;
  containerId: string;
}

/** Kubernetes' ContainerState: exactly one of running, waiting, terminated. */
export type ContainerStatus =
  | { phase: 'running'; startedAtMs: number }
  | { phase: 'waiting'; reason: string; message?: string }
  | { phase: 'terminated'; info: TerminatedInfo };

/** The app container of a pod, as the kubelet sees it. */
export interface ContainerRuntime {
  name: string;
  status: ContainerStatus;
  ready: boolean;
  restartCount: number;
  containerId?: string;
  imageId?: string;
  lastTerminated?: TerminatedInfo;
  /** Failed starts or pulls in a row; drives the kubelet's back-off (reset after 10 min running). */
  consecutiveFailures: number;
  /** When the kubelet next tries to start the container (or pull its image). */
  nextAttemptMs?: number;
  /** When the app becomes ready after starting. */
  readyAtMs?: number;
  /** A scheduled exit of the current instance (the app fails at startup). */
  exitAt?: { atMs: number; exitCode: number; reason: string };
  memoryBytes: number;
  /** Start of the current process; cumulative app and cAdvisor counters restart from here. */
  processStartMs: number;
  cpuSeconds: number;
  /** Memory growth while a leak is active (oom_killed), bytes per second. */
  leakBytesPerSec: number;
  /** A readiness probe that keeps failing (dependency_down, readiness_failing). */
  readinessFailure?: { message: string; nextProbeMs: number; failures: number };
  /** A liveness probe that keeps failing (liveness_wrong_port); the kubelet kills at the threshold. */
  livenessFailure?: { message: string; nextProbeMs: number; failures: number };
  history: Transition[];
}

/** An unhandled error inside the app (bad_rollout), as its runtime names it. */
export interface AppError {
  type: string;
  message: string;
  /** Stack frames in the runtime's own format, one per line. */
  frames: string[];
}

/** The pod template of one revision (ReplicaSet or StatefulSet revision). */
export interface PodTemplate {
  version: string;
  image: string;
  /** pod-template-hash (Deployment) or controller-revision-hash suffix (StatefulSet). */
  hash: string;
  /** An env var this template lacks (crash_loop). */
  envOmitted?: string;
  /** The image tag does not exist in the registry (image_pull_error). */
  pullError?: boolean;
  /** kubectl.kubernetes.io/restartedAt, set by a rolling restart. */
  restartedAt?: string;
  /** An extra env var read from a ConfigMap key that does not exist (missing_configmap_key). */
  missingConfigKey?: { env: string; key: string };
  /** The liveness probe's port, where nothing listens (liveness_wrong_port). */
  livenessPort?: number;
  /** CPU request and limit overriding the workload's, in millicores (unschedulable, cpu_throttling). */
  cpuRequestMilli?: number;
  cpuLimitMilli?: number;
  /** A regression in this build (bad_rollout): share of requests failing with 500, latency factor. */
  defect?: { errorRate: number; latencyFactor: number; exception: AppError };
}

/** A ReplicaSet (Deployment) or ControllerRevision (StatefulSet). */
export interface RevisionState {
  name: string;
  uid: string;
  revision: number;
  createdMs: number;
  template: PodTemplate;
  replicas: number;
}

/** A pod of a workload; its object is rendered from this. */
export interface PodState {
  name: string;
  uid: string;
  createdMs: number;
  revision: RevisionState;
  nodeName: string;
  hostIp: string;
  ip: string;
  container: ContainerRuntime;
  /** Set when the pod is being deleted; it leaves the model at `goneAtMs`. */
  deletingAtMs?: number;
  goneAtMs?: number;
  /** Requests and jobs served since the last scrape (drives CPU and network usage). */
  served: number;
  /** Windows in which the server process refuses connections (dependency_down). */
  refusing: { fromMs: number; toMs: number }[];
  /** CPU demand over the CPU limit at the last scrape (1 = at the limit); throttling above ~0.7. */
  cpuPressure?: number;
  /** Set while no node can take the pod (Pending, PodScheduled False); nodeName is then empty. */
  unschedulable?: string;
  /** Set when the kubelet evicted the pod (phase Failed, reason Evicted): the eviction message. */
  evicted?: string;
  /** CPU cores the container used over the last scrape interval (what metrics-server reports). */
  cpuCores?: number;
  /** Request rate over the workload's per-pod capacity at the last scrape (queueing above ~0.5). */
  utilisation?: number;
}

/**
 * Extra end-user load aimed at a workload (traffic_surge, hpa_at_max): its incoming request rate
 * is `factor` times normal, ramping in over `rampMs` from `sinceMs` and out over `rampMs` after
 * `untilMs`.
 */
export interface SurgeState {
  factor: number;
  sinceMs: number;
  rampMs: number;
  untilMs?: number;
}

/** A Deployment condition (Available, Progressing) with its timestamps. */
export interface ConditionState {
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastUpdateMs: number;
  lastTransitionMs: number;
}

/** A Deployment or StatefulSet with its revisions, pods, Service and config objects. */
export interface WorkloadState {
  spec: WorkloadSpec;
  uid: string;
  createdMs: number;
  generation: number;
  /** Oldest first; the last one is the current template. */
  revisions: RevisionState[];
  pods: PodState[];
  service: { uid: string; endpointsUid: string; ip: string; createdMs: number };
  configMapUid: string;
  secretUid?: string;
  available: ConditionState;
  progressing: ConditionState;
  /** Set while a rollout has not completed. */
  rolloutStartedMs?: number;
  /** A StatefulSet's PersistentVolumeClaims (`data-<pod>`), one per ordinal ever created. */
  claims?: ClaimState[];
  /** The StorageClass its claim template names is gone (pvc_pending): new claims stay Pending. */
  storageClassMissing?: boolean;
  /** A NetworkPolicy selecting this workload's pods that admits only these namespaces (network_policy_block). */
  ingressPolicy?: { name: string; uid: string; createdMs: number; allowedNamespaces: string[] };
  /** Extra end-user load aimed at this workload (traffic_surge, hpa_at_max). */
  surge?: SurgeState;
  /** Its HorizontalPodAutoscaler, if it has one; it sets `spec.replicas`. */
  hpa?: HpaState;
}

/** A HorizontalPodAutoscaler condition (AbleToScale, ScalingActive, ScalingLimited). */
export interface HpaCondition {
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionMs: number;
}

/**
 * A HorizontalPodAutoscaler (autoscaling/v2) on a Deployment's CPU utilisation, with what its
 * controller last saw and decided. `recommendations` are the last five minutes' (the scale-down
 * stabilisation window).
 */
export interface HpaState {
  name: string;
  uid: string;
  createdMs: number;
  minReplicas: number;
  maxReplicas: number;
  /** Target average CPU utilisation, percent of the request. */
  targetUtilization: number;
  /** Average utilisation (percent) and usage (millicores) at the last sync, once measured. */
  currentUtilization?: number;
  currentMilli?: number;
  desiredReplicas: number;
  lastScaleMs?: number;
  recommendations: { atMs: number; replicas: number }[];
  ableToScale: HpaCondition;
  scalingActive: HpaCondition;
  scalingLimited: HpaCondition;
}

/** A PersistentVolumeClaim of a StatefulSet pod; Pending until `boundMs`. */
export interface ClaimState {
  name: string;
  uid: string;
  createdMs: number;
  boundMs?: number;
  /** The PersistentVolume's name once provisioned (`pvc-<uid>`). */
  volumeName?: string;
  /** When provisioning last failed (the PV controller retries every 15 s). */
  lastFailedMs?: number;
}

/** A worker node; pods get IPs from its pod CIDR. */
export interface NodeState {
  name: string;
  uid: string;
  ip: string;
  zone: string;
  index: number;
  createdMs: number;
  nextPodIp: number;
  /** The node stopped posting status (node_not_ready); `notReadyMs` once the node controller saw it. */
  outage?: { sinceMs: number; by: string; notReadyMs?: number; evictedMs?: number };
  /** The kubelet reports DiskPressure (disk_pressure). */
  diskPressure?: { sinceMs: number; by: string };
  /** When the Ready and DiskPressure conditions last changed, if ever after creation. */
  readyChangedMs?: number;
  diskChangedMs?: number;
}

/** A namespace of a cluster. */
export interface NamespaceState {
  name: string;
  uid: string;
  createdMs: number;
}

/** A job waiting in a Redis queue, with the trace context of the request that enqueued it. */
export interface QueuedJob {
  id: string;
  orderId: string;
  enqueuedMs: number;
  attempt: number;
  notBeforeMs: number;
  traceId: string;
  parentSpanId: string;
  sampled: boolean;
}

/** Everything simulated about one cluster. */
export interface ClusterState {
  spec: ClusterSpec;
  nodes: NodeState[];
  namespaces: NamespaceState[];
  workloads: WorkloadState[];
  queues: Map<string, QueuedJob[]>;
  /** Jobs that were dropped because a queue hit its bound. */
  droppedJobs: number;
}

/** Whether a pod counts for its controller: not being deleted and not evicted. */
export function isLive(pod: PodState): boolean {
  return pod.deletingAtMs === undefined && pod.evicted === undefined;
}

/** The workload of a cluster by name. */
export function findWorkload(cluster: ClusterState, name: string): WorkloadState | undefined {
  return cluster.workloads.find((w) => w.spec.name === name);
}

/** The current (newest) revision of a workload. */
export function currentRevision(workload: WorkloadState): RevisionState {
  const rev = workload.revisions[workload.revisions.length - 1];
  if (!rev) throw new Error(`workload ${workload.spec.name} has no revision`);
  return rev;
}
