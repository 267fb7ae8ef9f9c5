import type { ResourceAttrs } from '../otlp/requests';
import type { PodState, WorkloadState } from './state';

/**
 * OpenTelemetry resource attributes of a pod's app container, as the Collector's k8sattributes
 * processor sets them. `withRestartCount` adds k8s.container.restart_count (container logs only;
 * metrics and spans leave it out so a restart does not start new series).
 */
export function podResource(
  cluster: string,
  workload: WorkloadState,
  pod: PodState,
  withRestartCount = false,
): ResourceAttrs {
  const spec = workload.spec;
  const owner: Record<string, string> =
    spec.kind === 'StatefulSet'
      ? { 'k8s.statefulset.name': spec.name }
      : { 'k8s.deployment.name': spec.name, 'k8s.replicaset.name': pod.revision.name };
  return {
    'k8s.cluster.name': cluster,
    'k8s.namespace.name': spec.namespace,
    ...(pod.unschedulable === undefined ? { 'k8s.node.name': pod.nodeName } : {}),
    'k8s.pod.name': pod.name,
    'k8s.pod.uid': pod.uid,
    'k8s.container.name': spec.name,
    ...(withRestartCount ? { 'k8s.container.restart_count': String(pod.container.restartCount) } : {}),
    ...owner,
    'service.name': spec.serviceName,
    'service.version': pod.revision.template.version,
    'service.namespace': spec.namespace,
  };
}

/** Resource attributes of a workload as a whole (kube-state-metrics Deployment/StatefulSet series). */
export function workloadResource(cluster: string, workload: WorkloadState): ResourceAttrs {
  const key = workload.spec.kind === 'StatefulSet' ? 'k8s.statefulset.name' : 'k8s.deployment.name';
  return {
    'k8s.cluster.name': cluster,
    'k8s.namespace.name': workload.spec.namespace,
    [key]: workload.spec.name,
  };
}

/** Resource attributes of a node. */
export function nodeResource(cluster: string, node: string): ResourceAttrs {
  return { 'k8s.cluster.name': cluster, 'k8s.node.name': node };
}
