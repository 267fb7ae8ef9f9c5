import { k8sTime } from '../clock';
import type { WorkloadState } from '../model/state';
import { appLabels } from './render-pod';
import type { K8sObject } from './types';

/**
 * Renders an ingress NetworkPolicy selecting the workload's pods and admitting traffic on its
 * port only from pods in `allowedNamespaces` (none: all ingress denied).
 */
export function renderNetworkPolicy(
  w: WorkloadState,
  policy: NonNullable<WorkloadState['ingressPolicy']>,
): K8sObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: policy.name,
      namespace: w.spec.namespace,
      uid: policy.uid,
      creationTimestamp: k8sTime(policy.createdMs),
      generation: 1,
    },
    spec: {
      podSelector: { matchLabels: appLabels(w.spec) },
      policyTypes: ['Ingress'],
      ingress: policy.allowedNamespaces.length
        ? [
            {
              from: policy.allowedNamespaces.map((ns) => ({
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
              })),
              ports: [{ protocol: 'TCP', port: w.spec.port }],
            },
          ]
        : [],
    },
  };
}
