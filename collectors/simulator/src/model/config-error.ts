import { observePod } from '../k8s/observe';
import { podRef } from '../k8s/refs';
import type { ClusterRuntime } from './runtime';
import type { PodState, WorkloadState } from './state';

/**
 * The kubelet cannot build the container's config at `atMs` because an env var references a
 * ConfigMap key that does not exist: Warning Failed "Error: couldn't find key ... in ConfigMap
 * ...", the container waits in CreateContainerConfigError (the pod stays Pending) and the kubelet
 * tries again at its next pod sync, 10 to 20 s later.
 */
export function failContainerConfig(
  rt: ClusterRuntime,
  w: WorkloadState,
  pod: PodState,
  atMs: number,
  key: string,
): void {
  const c = pod.container;
  const message = `couldn't find key ${key} in ConfigMap ${w.spec.namespace}/${w.spec.name}-config`;
  rt.events.record(podRef(w, pod), 'Warning', 'Failed', `Error: ${message}`, atMs, {
    component: 'kubelet',
    host: pod.nodeName,
  });
  c.status = { phase: 'waiting', reason: 'CreateContainerConfigError', message };
  observePod(rt, w, pod, atMs);
  c.nextAttemptMs = atMs + rt.rng.int(10_000, 20_000);
}
