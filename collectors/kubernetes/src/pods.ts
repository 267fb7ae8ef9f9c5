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

/*
 * A pod is read as any JSON: the live collector gets it from the API server, the import from a file
 * anyone may have edited, and one pod of an unexpected shape must cost its own details, never throw.
 * A field that is not what the API serves (a list of objects, an object, a string) reads as absent.
 */
type Fields = Record<string, unknown>;

const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
/** The object itself, or no fields when it is not one. */
const fieldsOf = (v: unknown): Fields => (isObject(v) ? v : {});
/** The object entries of a list; none when it is not one. */
const objectsIn = (v: unknown): Fields[] => (Array.isArray(v) ? v.filter(isObject) : []);

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const time = (v: unknown): number => {
  const ms = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
};

/** The string-valued labels of a label map. */
function labelsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fieldsOf(v))) if (typeof value === 'string') out[key] = value;
  return out;
}

function terminatedOf(v: unknown, current: boolean): ContainerInfo['terminated'] {
  if (!isObject(v)) return undefined;
  const id = str(v['containerID']) ?? str(v['startedAt']) ?? str(v['finishedAt']);
  if (id === undefined) return undefined;
  return {
    id,
    reason: str(v['reason']) ?? '',
    exitCode: typeof v['exitCode'] === 'number' ? v['exitCode'] : 0,
    finishedMs: time(v['finishedAt']),
    current,
  };
}

/** The owning controller as resource attributes: a ReplicaSet's Deployment is named after it. */
function workloadOf(ownerReferences: unknown, labels: Record<string, string>): Record<string, string> {
  const owners = objectsIn(ownerReferences);
  const owner = owners.find((o) => o['controller'] === true) ?? owners[0];
  const kind = str(owner?.['kind']);
  const name = str(owner?.['name']);
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

function containerOf(s: Fields): ContainerInfo | undefined {
  const name = str(s['name']);
  if (name === undefined) return undefined;
  const state = fieldsOf(s['state']);
  const running = isObject(state['running']) ? state['running'] : undefined;
  const restartCount = typeof s['restartCount'] === 'number' ? s['restartCount'] : 0;
  return {
    name,
    restartCount,
    running: running
      ? {
          id: str(s['containerID']) ?? str(running['startedAt']) ?? `${name}#${String(s['restartCount'])}`,
          startedMs: time(running['startedAt']),
        }
      : undefined,
    terminated:
      terminatedOf(state['terminated'], true) ?? terminatedOf(fieldsOf(s['lastState'])['terminated'], false),
  };
}

/**
 * Reads a pod as served; undefined when it lacks a namespace, name or uid. Never throws: parts of
 * another shape than the API server's are read as absent (see above).
 */
export function podInfo(pod: RawObject): PodInfo | undefined {
  const md = fieldsOf(pod.metadata);
  const namespace = str(md['namespace']);
  const name = str(md['name']);
  const uid = str(md['uid']);
  if (namespace === undefined || name === undefined || uid === undefined) return undefined;
  const labels = labelsOf(md['labels']);
  const status = fieldsOf(pod['status']);
  const statuses = [...objectsIn(status['initContainerStatuses']), ...objectsIn(status['containerStatuses'])];
  const containers: ContainerInfo[] = [];
  for (const s of statuses) {
    const container = containerOf(s);
    if (container !== undefined) containers.push(container);
  }
  return {
    uid,
    namespace,
    name,
    node: str(fieldsOf(pod['spec'])['nodeName']),
    labels,
    workload: workloadOf(md['ownerReferences'], labels),
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
