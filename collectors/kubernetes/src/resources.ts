/** A Kubernetes API resource the collector lists and watches. */
export interface WatchedResource {
  /** API group; '' for the core group. */
  group: string;
  version: string;
  kind: string;
  /** The REST name in paths and RBAC rules. */
  plural: string;
  namespaced: boolean;
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(r: Pick<WatchedResource, 'group' | 'version'>): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

/** The cluster-wide collection path: `/api/v1/pods`, `/apis/apps/v1/deployments`. */
export function collectionPath(r: WatchedResource): string {
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  return `${base}/${r.plural}`;
}

/** `pods`, `deployments.apps`: how kubectl and RBAC name a resource. */
export function resourceName(r: Pick<WatchedResource, 'group' | 'plural'>): string {
  return r.group === '' ? r.plural : `${r.plural}.${r.group}`;
}

const core = (kind: string, plural: string, namespaced = true): WatchedResource => ({
  group: '',
  version: 'v1',
  kind,
  plural,
  namespaced,
});
const of = (group: string, version: string, kind: string, plural: string): WatchedResource => ({
  group,
  version,
  kind,
  plural,
  namespaced: true,
});

/**
 * Every kind whose state Sleuth keeps, in the order they are started (owners before what they own,
 * so the first snapshot of a pod finds its ReplicaSet). Secrets are read for their key names only:
 * the collector masks every value the moment a Secret arrives, before it is cached or sent.
 */
export const OBJECT_RESOURCES: readonly WatchedResource[] = [
  core('Namespace', 'namespaces', false),
  core('Node', 'nodes', false),
  of('apps', 'v1', 'Deployment', 'deployments'),
  of('apps', 'v1', 'ReplicaSet', 'replicasets'),
  of('apps', 'v1', 'StatefulSet', 'statefulsets'),
  of('apps', 'v1', 'DaemonSet', 'daemonsets'),
  of('batch', 'v1', 'CronJob', 'cronjobs'),
  of('batch', 'v1', 'Job', 'jobs'),
  core('Pod', 'pods'),
  core('Service', 'services'),
  of('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices'),
  of('networking.k8s.io', 'v1', 'Ingress', 'ingresses'),
  of('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'),
  core('PersistentVolumeClaim', 'persistentvolumeclaims'),
  core('PersistentVolume', 'persistentvolumes', false),
  of('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets'),
  of('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies'),
  core('ConfigMap', 'configmaps'),
  core('Secret', 'secrets'),
];

/** Events: the events.k8s.io/v1 API where the cluster serves it, else core/v1. */
export const EVENT_RESOURCES = {
  preferred: of('events.k8s.io', 'v1', 'Event', 'events'),
  fallback: core('Event', 'events'),
} as const;
