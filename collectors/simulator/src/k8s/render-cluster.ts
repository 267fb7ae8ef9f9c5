import { k8sTime } from '../clock';
import type { ClusterSpec } from '../fleet/types';
import { nodeTaints } from '../model/node-health';
import type { NamespaceState, NodeState } from '../model/state';
import type { K8sObject } from './types';

/** Renders a Namespace. */
export function renderNamespace(ns: NamespaceState): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: ns.name,
      uid: ns.uid,
      creationTimestamp: k8sTime(ns.createdMs),
      labels: { 'kubernetes.io/metadata.name': ns.name },
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

/** Renders a worker Node (EKS managed node group, containerd). */
export function renderNode(cluster: ClusterSpec, node: NodeState): K8sObject {
  const memKi = cluster.nodeMemoryGi * 1024 * 1024 - 524_288;
  const created = k8sTime(node.createdMs);
  const down = node.outage?.notReadyMs;
  const cond = (
    type: string,
    status: string,
    reason: string,
    message: string,
    changedMs?: number,
  ): Record<string, string> =>
    down === undefined
      ? {
          type,
          status,
          reason,
          message,
          lastHeartbeatTime: created,
          lastTransitionTime: changedMs === undefined ? created : k8sTime(changedMs),
        }
      : {
          type,
          status: 'Unknown',
          reason: 'NodeStatusUnknown',
          message: 'Kubelet stopped posting node status.',
          lastHeartbeatTime: k8sTime(node.outage?.sinceMs ?? down),
          lastTransitionTime: k8sTime(down),
        };
  const disk = node.diskPressure
    ? cond(
        'DiskPressure',
        'True',
        'KubeletHasDiskPressure',
        'kubelet has disk pressure',
        node.diskPressure.sinceMs,
      )
    : cond(
        'DiskPressure',
        'False',
        'KubeletHasNoDiskPressure',
        'kubelet has no disk pressure',
        node.diskChangedMs,
      );
  const taints = nodeTaints(node).map((t) => ({
    key: t.key,
    effect: t.effect,
    timeAdded: k8sTime(t.timeAddedMs),
  }));
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      uid: node.uid,
      creationTimestamp: created,
      labels: {
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/hostname': node.name,
        'node.kubernetes.io/instance-type': cluster.instanceType,
        'topology.kubernetes.io/region': cluster.region,
        'topology.kubernetes.io/zone': node.zone,
        'eks.amazonaws.com/nodegroup': 'general',
      },
    },
    spec: {
      providerID: `aws:///${node.zone}/i-0${node.uid.replace(/-/g, '').slice(0, 16)}`,
      podCIDR: `10.${cluster.netOctet}.${100 + node.index}.0/24`,
      ...(taints.length > 0 ? { taints } : {}),
    },
    status: {
      addresses: [
        { type: 'InternalIP', address: node.ip },
        { type: 'Hostname', address: node.name },
      ],
      capacity: {
        cpu: String(cluster.nodeCpuCores),
        memory: `${cluster.nodeMemoryGi * 1024 * 1024}Ki`,
        pods: '58',
      },
      allocatable: { cpu: `${cluster.nodeCpuCores * 1000 - 80}m`, memory: `${memKi}Ki`, pods: '58' },
      conditions: [
        cond(
          'MemoryPressure',
          'False',
          'KubeletHasSufficientMemory',
          'kubelet has sufficient memory available',
        ),
        disk,
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status', node.readyChangedMs),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        containerRuntimeVersion: 'containerd://1.7.11',
        kernelVersion: '5.10.209-198.858.amzn2.x86_64',
        kubeProxyVersion: 'v1.29.0-eks-5e0fdde',
        kubeletVersion: 'v1.29.0-eks-5e0fdde',
        operatingSystem: 'linux',
        osImage: 'Amazon Linux 2',
      },
    },
  };
}
