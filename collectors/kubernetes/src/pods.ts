import type { RawObject } from './kube-api';

/** What the collector needs of a pod to collect its containers' logs and usage. */
export interface PodInfo {
  uid: string;
  namespace: string;
  name: string;
  node: string | undefined;
  labels: Record<string, string>;
  /** The controller that owns the pod, as OpenTelemetry k8s.* resource attributes. */
  workload: Record<string, string>;
  containers: ContainerInfo[];
}

/** One container (init containers included) and what its status says about its instances. */
export interface ContainerInfo {
  name: string;
  restartCount: number;
  /** The running instance: its container ID (or start time when the runtime gave none). */
  running: { id: string; startedMs: number } | undefined;
  /**
   * The last terminated instance: the current one when the container stopped and was not started
   * again (its log is the current log), else lastState (its log is the `previous` log).
   */
  terminated:
    { id: string; reason: string; exitCode: number; finishedMs: number; current: boolean } | undefined;
}

interface RawContainerStatus {
  name?: unknown;
  restartCount?: unknown;
  containerID?: unknown;
  state?: { running?: { startedAt?: unknown }; terminated?: RawTerminated };
  lastState?: { terminated?: RawTerminated };
}

interface RawTerminated {
  containerID?: unknown;
  reason?: unknown;
  exitCode?: unknown;
  startedAt?: unknown;
  finishedAt?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const time = (v: unknown): number => {
  const ms = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
};

function terminatedOf(t: RawTerminated | undefined, current: boolean): ContainerInfo['terminated'] {
  if (!t) return undefined;
  const id = str(t.containerID) ?? str(t.startedAt) ?? str(t.finishedAt);
  if (id === undefined) return undefined;
  return {
    id,
    reason: str(t.reason) ?? '',
    exitCode: typeof t.exitCode === 'number' ? t.exitCode : 0,
    finishedMs: time(t.finishedAt),
    current,
  };
}

/** The owning controller as resource attributes: a ReplicaSet's Deployment is named after it. */
function workloadOf(pod: RawObject, labels: Record<string, string>): Record<string, string> {
  const owners = (pod.metadata?.['ownerReferences'] ?? []) as {
    kind?: unknown;
    name?: unknown;
    controller?: unknown;
  }[];
  const owner = owners.find((o) => o.controller === true) ?? owners[0];
  const kind = str(owner?.kind);
  const name = str(owner?.name);
  if (kind === undefined || name === undefined) return {};
  switch (kind) {
    case 'ReplicaSet': {
      const hash = labels['pod-template-hash'];
      const out: Record<string, string> = { 'k8s.replicaset.name': name };
      if (hash !== undefined && name.endsWith(`-${hash}`)) {
        out['k8s.deployment.name'] = name.slice(0, -hash.length - 1);
      }
      return out;
    }
    case 'StatefulSet':
      return { 'k8s.statefulset.name': name };
    case 'DaemonSet':
      return { 'k8s.daemonset.name': name };
    case 'Job':
      return { 'k8s.job.name': name };
    default:
      return {};
  }
}

/** Reads a pod as served; undefined when it lacks a namespace, name or uid. */
export function podInfo(pod: RawObject): PodInfo | undefined {
  const md = pod.metadata ?? {};
  const namespace = str(md.namespace);
  const name = str(md.name);
  const uid = str(md.uid);
  if (namespace === undefined || name === undefined || uid === undefined) return undefined;
  const labels = (md['labels'] ?? {}) as Record<string, string>;
  const spec = (pod['spec'] ?? {}) as { nodeName?: unknown; containers?: unknown; initContainers?: unknown };
  const status = (pod['status'] ?? {}) as { containerStatuses?: unknown; initContainerStatuses?: unknown };
  const list = (v: unknown): RawContainerStatus[] => (Array.isArray(v) ? (v as RawContainerStatus[]) : []);
  const statuses = [...list(status.initContainerStatuses), ...list(status.containerStatuses)];
  const containers: ContainerInfo[] = [];
  for (const s of statuses) {
    const cname = str(s.name);
    if (cname === undefined) continue;
    const running = s.state?.running;
    const startedMs = time(running?.startedAt);
    containers.push({
      name: cname,
      restartCount: typeof s.restartCount === 'number' ? s.restartCount : 0,
      running: running
        ? {
            id: str(s.containerID) ?? str(running.startedAt) ?? `${cname}#${String(s.restartCount)}`,
            startedMs,
          }
        : undefined,
      terminated: terminatedOf(s.state?.terminated, true) ?? terminatedOf(s.lastState?.terminated, false),
    });
  }
  return {
    uid,
    namespace,
    name,
    node: str(spec.nodeName),
    labels,
    workload: workloadOf(pod, labels),
    containers,
  };
}

/** The OpenTelemetry resource attributes of a container's signals. */
export function containerResource(
  cluster: string,
  pod: PodInfo,
  container: ContainerInfo,
): Record<string, string | number> {
  const attrs: Record<string, string | number> = {
    'k8s.cluster.name': cluster,
    'k8s.namespace.name': pod.namespace,
    'k8s.pod.name': pod.name,
    'k8s.pod.uid': pod.uid,
    'k8s.container.name': container.name,
    'k8s.container.restart_count': container.restartCount,
    ...pod.workload,
  };
  if (pod.node !== undefined) attrs['k8s.node.name'] = pod.node;
  return attrs;
}
