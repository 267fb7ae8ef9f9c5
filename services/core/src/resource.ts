import { z } from 'zod';

/** How everything in Sleuth names a thing: a Kubernetes object (or a service, node...) in a cluster. */
export const ResourceRef = z.object({
  cluster: z.string().min(1).max(253),
  namespace: z.string().min(1).max(253).optional(),
  kind: z.string().min(1).max(63),
  name: z.string().min(1).max(253),
  uid: z.string().max(64).optional(),
});
export type ResourceRef = z.infer<typeof ResourceRef>;

/**
 * Where a signal came from, normalised from OpenTelemetry resource attributes
 * (k8s.cluster.name, k8s.namespace.name, k8s.deployment.name, k8s.pod.name, service.name ...).
 * `cluster` is always known (the receiver's default cluster when the sender did not say).
 */
export const SignalSource = z.object({
  cluster: z.string().min(1).max(253),
  namespace: z.string().max(253).optional(),
  workloadKind: z.string().max(63).optional(),
  workload: z.string().max(253).optional(),
  pod: z.string().max(253).optional(),
  container: z.string().max(253).optional(),
  node: z.string().max(253).optional(),
  service: z.string().max(253).optional(),
});
export type SignalSource = z.infer<typeof SignalSource>;

/** The most specific object a signal source names: the pod, else the workload, node, service, cluster. */
export function primaryRef(src: SignalSource): ResourceRef {
  const ns = src.namespace === undefined ? {} : { namespace: src.namespace };
  if (src.pod) return { cluster: src.cluster, ...ns, kind: 'Pod', name: src.pod };
  if (src.workload)
    return { cluster: src.cluster, ...ns, kind: src.workloadKind ?? 'Deployment', name: src.workload };
  if (src.node) return { cluster: src.cluster, kind: 'Node', name: src.node };
  if (src.service) return { cluster: src.cluster, ...ns, kind: 'Service', name: src.service };
  return { cluster: src.cluster, kind: 'Cluster', name: src.cluster };
}

/** A stable text key for a resource: `cluster/namespace/Kind/name` (namespace `-` when cluster-scoped). */
export function refKey(ref: ResourceRef): string {
  return `${ref.cluster}/${ref.namespace ?? '-'}/${ref.kind}/${ref.name}`;
}

/** kubectl's names and short names of the kinds Sleuth collects, lower case, to their Kind. */
const KIND_ALIASES: Record<string, string> = {};
for (const [kind, ...aliases] of [
  ['Pod', 'pods', 'po'],
  ['Deployment', 'deployments', 'deploy'],
  ['ReplicaSet', 'replicasets', 'rs'],
  ['StatefulSet', 'statefulsets', 'sts'],
  ['DaemonSet', 'daemonsets', 'ds'],
  ['Job', 'jobs'],
  ['CronJob', 'cronjobs', 'cj'],
  ['Service', 'services', 'svc'],
  ['Ingress', 'ingresses', 'ing'],
  ['Node', 'nodes', 'no'],
  ['PersistentVolumeClaim', 'persistentvolumeclaims', 'pvc'],
  ['PersistentVolume', 'persistentvolumes', 'pv'],
  ['HorizontalPodAutoscaler', 'horizontalpodautoscalers', 'hpa'],
  ['PodDisruptionBudget', 'poddisruptionbudgets', 'pdb'],
  ['ConfigMap', 'configmaps', 'cm'],
  ['Secret', 'secrets'],
  ['NetworkPolicy', 'networkpolicies', 'netpol'],
  ['Namespace', 'namespaces', 'ns'],
  ['ServiceAccount', 'serviceaccounts', 'sa'],
  ['EndpointSlice', 'endpointslices'],
  ['StorageClass', 'storageclasses', 'sc'],
] as const) {
  for (const name of [kind.toLowerCase(), ...aliases]) KIND_ALIASES[name] = kind;
}

/**
 * The Kind a kubectl-style kind name stands for, in any case, singular or plural (`deploy`,
 * `deployments` → `Deployment`); other names (custom resources) as given.
 */
export function canonicalKind(kind: string): string {
  return KIND_ALIASES[kind.toLowerCase()] ?? kind;
}
