import type { Attributes, SignalSource } from '@sleuth/core';
import { textAttr } from './record-checks';

/** Workload attributes in order of preference; a CronJob owns the Job it spawns, a Deployment its ReplicaSet. */
const WORKLOADS: readonly (readonly [key: string, kind: string])[] = [
  ['k8s.deployment.name', 'Deployment'],
  ['k8s.statefulset.name', 'StatefulSet'],
  ['k8s.daemonset.name', 'DaemonSet'],
  ['k8s.cronjob.name', 'CronJob'],
  ['k8s.job.name', 'Job'],
  ['k8s.replicaset.name', 'ReplicaSet'],
];

/**
 * Normalises OpenTelemetry resource attributes (k8s.* and service.name semantic conventions) into the
 * SignalSource every record carries. `cluster` is k8s.cluster.name, else the receiver's default.
 * Values longer than the schema allows are cut, never rejected.
 */
export function sourceFromResource(attrs: Attributes, defaultCluster: string): SignalSource {
  const source: SignalSource = { cluster: textAttr(attrs, 'k8s.cluster.name') ?? defaultCluster };
  const namespace = textAttr(attrs, 'k8s.namespace.name');
  if (namespace !== undefined) source.namespace = namespace;
  for (const [key, kind] of WORKLOADS) {
    const name = textAttr(attrs, key);
    if (name !== undefined) {
      source.workloadKind = kind;
      source.workload = name;
      break;
    }
  }
  const pod = textAttr(attrs, 'k8s.pod.name');
  if (pod !== undefined) source.pod = pod;
  const container = textAttr(attrs, 'k8s.container.name');
  if (container !== undefined) source.container = container;
  const node = textAttr(attrs, 'k8s.node.name');
  if (node !== undefined) source.node = node;
  const service = textAttr(attrs, 'service.name');
  if (service !== undefined) source.service = service;
  return source;
}

/** The source as metric series labels: cluster, namespace, workload, pod, container, node, service. */
export function sourceLabels(source: SignalSource): [string, string][] {
  const labels: [string, string][] = [['cluster', source.cluster]];
  if (source.namespace !== undefined) labels.push(['namespace', source.namespace]);
  if (source.workload !== undefined) labels.push(['workload', source.workload]);
  if (source.pod !== undefined) labels.push(['pod', source.pod]);
  if (source.container !== undefined) labels.push(['container', source.container]);
  if (source.node !== undefined) labels.push(['node', source.node]);
  if (source.service !== undefined) labels.push(['service', source.service]);
  return labels;
}
