import { k8sTime } from '../clock';
import type { ConditionState, PodState, RevisionState, WorkloadState } from '../model/state';
import { currentRevision, isLive } from '../model/state';
import { STORAGE_CLASS } from './render-claim';
import { appLabels, containerSpec } from './render-pod';
import type { JsonValue, K8sObject } from './types';

const live = (pods: PodState[]): PodState[] => pods.filter(isLive);
const ready = (pods: PodState[]): number => pods.filter((p) => p.container.ready).length;

function condition(type: string, c: ConditionState): JsonValue {
  return {
    type,
    status: c.status,
    lastUpdateTime: k8sTime(c.lastUpdateMs),
    lastTransitionTime: k8sTime(c.lastTransitionMs),
    reason: c.reason,
    message: c.message,
  };
}

function template(w: WorkloadState, rev: RevisionState): JsonValue {
  const t = rev.template;
  const labels: Record<string, string> = { ...appLabels(w.spec), 'app.kubernetes.io/version': t.version };
  if (w.spec.kind === 'Deployment') labels['pod-template-hash'] = t.hash;
  return {
    metadata: {
      labels,
      ...(t.restartedAt ? { annotations: { 'kubectl.kubernetes.io/restartedAt': t.restartedAt } } : {}),
    },
    spec: {
      containers: [containerSpec(w.spec, t)],
      restartPolicy: 'Always',
      serviceAccountName: w.spec.name,
      terminationGracePeriodSeconds: 30,
    },
  };
}

function meta(
  w: WorkloadState,
  name: string,
  uid: string,
  createdMs: number,
  extra: Record<string, JsonValue> = {},
) {
  return {
    name,
    namespace: w.spec.namespace,
    uid,
    creationTimestamp: k8sTime(createdMs),
    labels: appLabels(w.spec),
    ...extra,
  };
}

/** Renders a Deployment with status computed from its pods. */
export function renderDeployment(w: WorkloadState): K8sObject {
  const pods = live(w.pods);
  const current = currentRevision(w);
  const available = ready(pods);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      ...meta(w, w.spec.name, w.uid, w.createdMs),
      generation: w.generation,
      annotations: { 'deployment.kubernetes.io/revision': String(current.revision) },
    },
    spec: {
      replicas: w.spec.replicas,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: appLabels(w.spec) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: template(w, current),
    },
    status: {
      observedGeneration: w.generation,
      replicas: pods.length,
      updatedReplicas: pods.filter((p) => p.revision === current).length,
      readyReplicas: available,
      availableReplicas: available,
      ...(pods.length > available ? { unavailableReplicas: pods.length - available } : {}),
      conditions: [condition('Available', w.available), condition('Progressing', w.progressing)],
    },
  };
}

/** Renders one ReplicaSet of a Deployment. */
export function renderReplicaSet(w: WorkloadState, rev: RevisionState): K8sObject {
  const pods = live(w.pods).filter((p) => p.revision === rev);
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      ...meta(w, rev.name, rev.uid, rev.createdMs, {
        labels: { ...appLabels(w.spec), 'pod-template-hash': rev.template.hash },
      }),
      generation: 1,
      annotations: {
        'deployment.kubernetes.io/revision': String(rev.revision),
        'deployment.kubernetes.io/desired-replicas': String(w.spec.replicas),
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: w.spec.name,
          uid: w.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      replicas: rev.replicas,
      selector: { matchLabels: { ...appLabels(w.spec), 'pod-template-hash': rev.template.hash } },
      template: template(w, rev),
    },
    status: {
      replicas: pods.length,
      fullyLabeledReplicas: pods.length,
      readyReplicas: ready(pods),
      availableReplicas: ready(pods),
      observedGeneration: 1,
    },
  };
}

/** Renders a StatefulSet with status computed from its pods. */
export function renderStatefulSet(w: WorkloadState): K8sObject {
  const pods = live(w.pods);
  const current = currentRevision(w);
  const revisionName = `${w.spec.name}-${current.template.hash}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { ...meta(w, w.spec.name, w.uid, w.createdMs), generation: w.generation },
    spec: {
      replicas: w.spec.replicas,
      serviceName: w.spec.name,
      podManagementPolicy: 'OrderedReady',
      selector: { matchLabels: appLabels(w.spec) },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      template: template(w, current),
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: '50Gi' } },
            storageClassName: STORAGE_CLASS,
          },
        },
      ],
    },
    status: {
      observedGeneration: w.generation,
      replicas: pods.length,
      readyReplicas: ready(pods),
      availableReplicas: ready(pods),
      currentReplicas: pods.length,
      updatedReplicas: pods.filter((p) => p.revision === current).length,
      currentRevision: revisionName,
      updateRevision: revisionName,
      collisionCount: 0,
    },
  };
}

function servicePort(w: WorkloadState): JsonValue {
  return {
    name: w.spec.portName,
    port: w.spec.port,
    targetPort: w.spec.portName,
    protocol: w.spec.component === 'dns' ? 'UDP' : 'TCP',
  };
}

/** Renders the workload's ClusterIP Service. */
export function renderService(w: WorkloadState): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(w, w.spec.serviceName, w.service.uid, w.service.createdMs),
    spec: {
      type: 'ClusterIP',
      clusterIP: w.service.ip,
      clusterIPs: [w.service.ip],
      ipFamilies: ['IPv4'],
      ports: [servicePort(w)],
      selector: appLabels(w.spec),
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
    },
    status: { loadBalancer: {} },
  };
}

/** Renders the Service's Endpoints: ready pods as addresses, the rest as not ready. */
export function renderEndpoints(w: WorkloadState): K8sObject {
  const address = (p: PodState): JsonValue => ({
    ip: p.ip,
    nodeName: p.nodeName,
    targetRef: { kind: 'Pod', name: p.name, namespace: w.spec.namespace, uid: p.uid },
  });
  const pods = live(w.pods);
  const port = {
    name: w.spec.portName,
    port: w.spec.port,
    protocol: w.spec.component === 'dns' ? 'UDP' : 'TCP',
  };
  const readyPods = pods.filter((p) => p.container.ready).map(address);
  const notReady = pods.filter((p) => !p.container.ready && p.unschedulable === undefined).map(address);
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: meta(w, w.spec.serviceName, w.service.endpointsUid, w.service.createdMs),
    subsets:
      pods.length === 0
        ? []
        : [
            {
              ...(readyPods.length ? { addresses: readyPods } : {}),
              ...(notReady.length ? { notReadyAddresses: notReady } : {}),
              ports: [port],
            },
          ],
  };
}

/** Renders the workload's ConfigMap (non-secret settings), if it has one. */
export function renderConfigMap(w: WorkloadState): K8sObject | undefined {
  const data: Record<string, string> = {};
  for (const e of w.spec.env) if (e.from === 'configMap') data[e.name] = e.value ?? '';
  if (Object.keys(data).length === 0) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(w, `${w.spec.name}-config`, w.configMapUid, w.createdMs),
    data,
  };
}

/** Renders the workload's Secret with its key names only; values are never simulated or sent. */
export function renderSecret(w: WorkloadState): K8sObject | undefined {
  const keys = w.spec.env.filter((e) => e.from === 'secret').map((e) => e.name);
  if (keys.length === 0 || w.secretUid === undefined) return undefined;
  const data: Record<string, string> = {};
  for (const k of keys) data[k] = '';
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: meta(w, `${w.spec.name}-secrets`, w.secretUid, w.createdMs),
    data,
  };
}
