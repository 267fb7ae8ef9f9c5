import type { ClusterRuntime } from '../model/runtime';
import type { PodState, WorkloadState } from '../model/state';
import { renderNamespace, renderNode } from './render-cluster';
import { renderClaim } from './render-claim';
import { renderHpa } from './render-hpa';
import { renderNetworkPolicy } from './render-network-policy';
import { renderPod } from './render-pod';
import {
  renderConfigMap,
  renderDeployment,
  renderEndpoints,
  renderReplicaSet,
  renderSecret,
  renderService,
  renderStatefulSet,
} from './render-workloads';

/** Notes a pod's current state in the object watch (call after every change to it). */
export function observePod(rt: ClusterRuntime, w: WorkloadState, pod: PodState, atMs: number): void {
  rt.watch.observe('pods', renderPod(w, pod), atMs);
}

/** Notes that a pod object was removed from the API. */
export function observePodDeleted(rt: ClusterRuntime, w: WorkloadState, pod: PodState, atMs: number): void {
  rt.watch.delete('pods', renderPod(w, pod), atMs);
}

/** Notes every object of the cluster at `atMs`; the watch emits only those that changed. */
export function observeCluster(rt: ClusterRuntime, atMs: number): void {
  const { state } = rt;
  for (const node of state.nodes) rt.watch.observe('nodes', renderNode(state.spec, node), atMs);
  for (const ns of state.namespaces) rt.watch.observe('namespaces', renderNamespace(ns), atMs);
  for (const w of state.workloads) {
    const cm = renderConfigMap(w);
    if (cm) rt.watch.observe('configmaps', cm, atMs);
    const secret = renderSecret(w);
    if (secret) rt.watch.observe('secrets', secret, atMs);
    rt.watch.observe('services', renderService(w), atMs);
    if (w.spec.kind === 'Deployment') {
      rt.watch.observe('deployments', renderDeployment(w), atMs);
      for (const rev of w.revisions) rt.watch.observe('replicasets', renderReplicaSet(w, rev), atMs);
    } else rt.watch.observe('statefulsets', renderStatefulSet(w), atMs);
    for (const pod of w.pods) observePod(rt, w, pod, atMs);
    rt.watch.observe('endpoints', renderEndpoints(w), atMs);
    for (const claim of w.claims ?? [])
      rt.watch.observe('persistentvolumeclaims', renderClaim(w, claim), atMs);
    if (w.ingressPolicy) rt.watch.observe('networkpolicies', renderNetworkPolicy(w, w.ingressPolicy), atMs);
    if (w.hpa) rt.watch.observe('horizontalpodautoscalers', renderHpa(w, w.hpa), atMs);
  }
}
