import type { ClusterRuntime } from '../model/runtime';
import type { PodState, RevisionState, WorkloadState } from '../model/state';
import type { InvolvedObject } from './types';

/** The pod's app container as an event's involved object. */
export function podRef(w: WorkloadState, pod: PodState, container = true): InvolvedObject {
  return {
    kind: 'Pod',
    name: pod.name,
    uid: pod.uid,
    apiVersion: 'v1',
    namespace: w.spec.namespace,
    ...(container ? { fieldPath: `spec.containers{${w.spec.name}}` } : {}),
  };
}

/** A node as an event's involved object. */
export function nodeRef(rt: ClusterRuntime, nodeName: string): InvolvedObject {
  const node = rt.state.nodes.find((n) => n.name === nodeName);
  return { kind: 'Node', name: nodeName, uid: node?.uid ?? nodeName, apiVersion: 'v1' };
}

/** The workload (Deployment or StatefulSet) as an event's involved object. */
export function workloadRef(w: WorkloadState): InvolvedObject {
  return {
    kind: w.spec.kind,
    name: w.spec.name,
    uid: w.uid,
    apiVersion: 'apps/v1',
    namespace: w.spec.namespace,
  };
}

/** A ReplicaSet as an event's involved object. */
export function replicaSetRef(w: WorkloadState, rev: RevisionState): InvolvedObject {
  return {
    kind: 'ReplicaSet',
    name: rev.name,
    uid: rev.uid,
    apiVersion: 'apps/v1',
    namespace: w.spec.namespace,
  };
}
