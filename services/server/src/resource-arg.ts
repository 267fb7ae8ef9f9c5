/** A resource as a person types it: `NAMESPACE/KIND/NAME`, or `KIND/NAME` (cluster-scoped, or any namespace). */
export interface ResourceArg {
  namespace?: string;
  kind: string;
  name: string;
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
] as const) {
  for (const name of [kind.toLowerCase(), ...aliases]) KIND_ALIASES[name] = kind;
}

/** The Kind a kubectl-style kind name stands for (`deploy` → `Deployment`); other names as given. */
export function canonicalKind(kind: string): string {
  return KIND_ALIASES[kind.toLowerCase()] ?? kind;
}

/**
 * Parses `NAMESPACE/KIND/NAME` or `KIND/NAME`; the kind may be kubectl's short name. Returns a
 * message saying what is wrong instead when it is neither.
 */
export function parseResourceArg(text: string): ResourceArg | { error: string } {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p.trim() === '')) {
    return { error: `"${text}" is not NAMESPACE/KIND/NAME or KIND/NAME (e.g. shop/Pod/checkout-6d8f-q9z4w)` };
  }
  const [a = '', b = '', c] = parts;
  return c === undefined
    ? { kind: canonicalKind(a), name: b }
    : { namespace: a, kind: canonicalKind(b), name: c };
}

/** `NAMESPACE/KIND/NAME` (or `KIND/NAME`) of a resource, as parseResourceArg reads it. */
export function formatResourceArg(r: { namespace?: string | undefined; kind: string; name: string }): string {
  return `${r.namespace === undefined ? '' : `${r.namespace}/`}${r.kind}/${r.name}`;
}
