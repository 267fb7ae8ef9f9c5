import { defaultFleet } from '../fleet/clusters';
import type { ClusterSpec, WorkloadSpec } from '../fleet/types';
import { appLabels, containerSpec } from '../k8s/render-pod';
import type { JsonValue } from '../k8s/types';

/** One manifest file of the simulated fleet's GitOps repository: its comment and documents. */
export interface ManifestFile {
  path: string;
  /** Lines of the comment at the top of the file. */
  comment: string[];
  documents: JsonValue[];
}

function podTemplate(w: WorkloadSpec): JsonValue {
  const template = { version: w.version, image: `${w.image}:${w.version}` };
  return {
    metadata: { labels: { ...appLabels(w), 'app.kubernetes.io/version': w.version } },
    spec: {
      serviceAccountName: w.name,
      terminationGracePeriodSeconds: 30,
      containers: [containerSpec(w, template)],
    },
  };
}

function workload(w: WorkloadSpec): JsonValue {
  const common = {
    replicas: w.replicas,
    selector: { matchLabels: appLabels(w) },
  };
  return {
    apiVersion: 'apps/v1',
    kind: w.kind,
    metadata: { name: w.name, namespace: w.namespace, labels: appLabels(w) },
    spec:
      w.kind === 'StatefulSet'
        ? {
            ...common,
            serviceName: w.serviceName,
            template: podTemplate(w),
            volumeClaimTemplates: [
              {
                metadata: { name: 'data' },
                spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } } },
              },
            ],
          }
        : {
            ...common,
            strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
            template: podTemplate(w),
          },
  };
}

function service(w: WorkloadSpec): JsonValue {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: w.serviceName, namespace: w.namespace, labels: appLabels(w) },
    spec: {
      selector: appLabels(w),
      ports: [
        {
          name: w.portName,
          port: w.port,
          targetPort: w.portName,
          protocol: w.component === 'dns' ? 'UDP' : 'TCP',
        },
      ],
    },
  };
}

function autoscaler(w: WorkloadSpec, a: NonNullable<WorkloadSpec['autoscaling']>): JsonValue {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: w.name, namespace: w.namespace, labels: appLabels(w) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: w.kind, name: w.name },
      minReplicas: w.replicas,
      maxReplicas: a.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: a.targetCpuUtilization },
          },
        },
      ],
    },
  };
}

function manifestFile(cluster: ClusterSpec, w: WorkloadSpec): ManifestFile {
  return {
    path: `clusters/${cluster.name}/${w.namespace}/${w.name}.yaml`,
    comment: [
      `${w.kind} ${w.namespace}/${w.name} in cluster ${cluster.name} (${cluster.region}).`,
      'Synced to the cluster by the GitOps controller: change it here, through a pull request.',
    ],
    documents: [workload(w), service(w), ...(w.autoscaling ? [autoscaler(w, w.autoscaling)] : [])],
  };
}

/**
 * The GitOps repository the simulated fleet is synced from: for every cluster, one file per
 * application workload (`clusters/<cluster>/<namespace>/<name>.yaml`) holding its Deployment or
 * StatefulSet, Service and HorizontalPodAutoscaler as the simulator runs them, so a fix Sleuth
 * proposes for a simulated incident finds the same values in the repository as in the cluster.
 */
export function renderGitOpsRepo(fleet: readonly ClusterSpec[] = defaultFleet()): ManifestFile[] {
  const files: ManifestFile[] = [];
  for (const cluster of fleet) for (const w of cluster.workloads) files.push(manifestFile(cluster, w));
  return files;
}
