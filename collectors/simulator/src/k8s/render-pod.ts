import { createHash } from 'node:crypto';
import { k8sTime } from '../clock';
import type { EnvSpec, ProbeSpec, WorkloadSpec } from '../fleet/types';
import type { ContainerRuntime, PodState, PodTemplate, TerminatedInfo, WorkloadState } from '../model/state';
import type { JsonValue, K8sObject } from './types';

/** Kubernetes quantity for millicores: `250m`, `1`, `2`. */
export function cpuQuantity(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** A stable, realistic-looking image digest for an image reference. */
export function imageDigest(image: string): string {
  return `sha256:${createHash('sha256').update(image).digest('hex')}`;
}

/** Labels every object of a workload carries and its Service selects on. */
export function appLabels(spec: WorkloadSpec): Record<string, string> {
  return spec.name === 'coredns'
    ? { 'k8s-app': 'kube-dns' }
    : { 'app.kubernetes.io/name': spec.name, 'app.kubernetes.io/part-of': 'shop' };
}

function envVar(workload: string, e: EnvSpec): JsonValue {
  if (e.from === 'value') return { name: e.name, value: e.value ?? '' };
  const ref = e.from === 'configMap' ? 'configMapKeyRef' : 'secretKeyRef';
  const source = e.from === 'configMap' ? `${workload}-config` : `${workload}-secrets`;
  return { name: e.name, valueFrom: { [ref]: { name: source, key: e.name } } };
}

/** A container probe in Kubernetes' shape; `port` overrides the named container port. */
export function probe(p: ProbeSpec, spec: WorkloadSpec, port?: number): JsonValue {
  const target = port ?? spec.portName;
  const handler =
    p.type === 'http'
      ? { httpGet: { path: p.path, port: target, scheme: 'HTTP' } }
      : p.type === 'tcp'
        ? { tcpSocket: { port: target } }
        : { exec: { command: p.command } };
  return {
    ...handler,
    periodSeconds: p.periodSeconds,
    failureThreshold: p.failureThreshold,
    successThreshold: 1,
    timeoutSeconds: 1,
  };
}

function missingKeyVar(workload: string, missing: { env: string; key: string }): JsonValue {
  return {
    name: missing.env,
    valueFrom: { configMapKeyRef: { name: `${workload}-config`, key: missing.key } },
  };
}

/** The pod template's container spec for a workload revision. */
export function containerSpec(spec: WorkloadSpec, tpl: Omit<PodTemplate, 'hash'>): JsonValue {
  const limits: Record<string, string> = { memory: `${spec.memoryLimitMi}Mi` };
  const cpuLimit = tpl.cpuLimitMilli ?? spec.cpuLimitMilli;
  if (cpuLimit > 0) limits.cpu = cpuQuantity(cpuLimit);
  const env = spec.env.filter((e) => e.name !== tpl.envOmitted).map((e) => envVar(spec.name, e));
  if (tpl.missingConfigKey) env.push(missingKeyVar(spec.name, tpl.missingConfigKey));
  return {
    name: spec.name,
    image: tpl.image,
    imagePullPolicy: 'IfNotPresent',
    ports: [
      { name: spec.portName, containerPort: spec.port, protocol: spec.component === 'dns' ? 'UDP' : 'TCP' },
    ],
    env,
    resources: {
      requests: {
        cpu: cpuQuantity(tpl.cpuRequestMilli ?? spec.cpuRequestMilli),
        memory: `${spec.memoryRequestMi}Mi`,
      },
      limits,
    },
    readinessProbe: probe(spec.readinessProbe, spec),
    ...(spec.livenessProbe ? { livenessProbe: probe(spec.livenessProbe, spec, tpl.livenessPort) } : {}),
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  };
}

function terminated(t: TerminatedInfo): JsonValue {
  return {
    exitCode: t.exitCode,
    reason: t.reason,
    startedAt: k8sTime(t.startedAtMs),
    finishedAt: k8sTime(t.finishedAtMs),
    containerID: `containerd://${t.containerId}`,
  };
}

function containerStatus(c: ContainerRuntime, image: string): JsonValue {
  const s = c.status;
  const state =
    s.phase === 'running'
      ? { running: { startedAt: k8sTime(s.startedAtMs) } }
      : s.phase === 'waiting'
        ? {
            waiting:
              s.message === undefined ? { reason: s.reason } : { reason: s.reason, message: s.message },
          }
        : { terminated: terminated(s.info) };
  return {
    name: c.name,
    image,
    imageID: c.imageId ?? '',
    ...(c.containerId ? { containerID: `containerd://${c.containerId}` } : {}),
    ready: c.ready,
    started: s.phase === 'running',
    restartCount: c.restartCount,
    state,
    lastState: c.lastTerminated ? { terminated: terminated(c.lastTerminated) } : {},
  };
}

/** When the container's readiness last changed (for the Ready condition). */
function readySince(c: ContainerRuntime, fallback: number): number {
  let since = fallback;
  let prev: boolean | undefined;
  for (const h of c.history) {
    if (prev === undefined || h.ready !== prev) since = h.atMs;
    prev = h.ready;
  }
  return since;
}

/** Renders a Pod as the API server would return it. */
export function renderPod(workload: WorkloadState, pod: PodState): K8sObject {
  const spec = workload.spec;
  const tpl = pod.revision.template;
  const c = pod.container;
  const sts = spec.kind === 'StatefulSet';
  const everStarted = c.containerId !== undefined;
  const phase = pod.evicted !== undefined ? 'Failed' : everStarted ? 'Running' : 'Pending';
  const readyStatus = c.ready ? 'True' : 'False';
  const notReady = c.ready
    ? {}
    : { reason: 'ContainersNotReady', message: `containers with unready status: [${spec.name}]` };
  const readyTime = k8sTime(readySince(c, pod.createdMs));
  const created = k8sTime(pod.createdMs);
  const labels: Record<string, string> = { ...appLabels(spec), 'app.kubernetes.io/version': tpl.version };
  if (sts) {
    labels['controller-revision-hash'] = `${spec.name}-${tpl.hash}`;
    labels['statefulset.kubernetes.io/pod-name'] = pod.name;
  } else labels['pod-template-hash'] = tpl.hash;
  const volume = `kube-api-access-${pod.uid.slice(0, 5)}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod.name,
      ...(sts ? {} : { generateName: `${pod.revision.name}-` }),
      namespace: spec.namespace,
      uid: pod.uid,
      creationTimestamp: created,
      ...(pod.deletingAtMs === undefined
        ? {}
        : { deletionTimestamp: k8sTime(pod.deletingAtMs + 30_000), deletionGracePeriodSeconds: 30 }),
      labels,
      ...(tpl.restartedAt ? { annotations: { 'kubectl.kubernetes.io/restartedAt': tpl.restartedAt } } : {}),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: sts ? 'StatefulSet' : 'ReplicaSet',
          name: sts ? spec.name : pod.revision.name,
          uid: sts ? workload.uid : pod.revision.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      containers: [containerSpec(spec, tpl)],
      ...(pod.unschedulable === undefined ? { nodeName: pod.nodeName } : {}),
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      serviceAccountName: spec.name,
      terminationGracePeriodSeconds: 30,
      dnsPolicy: spec.component === 'dns' ? 'Default' : 'ClusterFirst',
      ...(sts ? { hostname: pod.name, subdomain: spec.name } : {}),
      volumes: [
        // A StatefulSet pod mounts the claim its volumeClaimTemplate made for it (data-<pod>).
        ...(sts ? [{ name: 'data', persistentVolumeClaim: { claimName: `data-${pod.name}` } }] : []),
        {
          name: volume,
          projected: {
            defaultMode: 420,
            sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }],
          },
        },
      ],
    },
    status:
      pod.unschedulable === undefined ? scheduledStatus() : unscheduledStatus(pod.unschedulable, created),
  };

  function scheduledStatus(): JsonValue {
    return {
      phase,
      ...(pod.evicted === undefined ? {} : { reason: 'Evicted', message: pod.evicted }),
      conditions: [
        {
          type: 'PodReadyToStartContainers',
          status: everStarted ? 'True' : 'False',
          lastTransitionTime: created,
        },
        { type: 'Initialized', status: 'True', lastTransitionTime: created },
        { type: 'Ready', status: readyStatus, lastTransitionTime: readyTime, ...notReady },
        { type: 'ContainersReady', status: readyStatus, lastTransitionTime: readyTime, ...notReady },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: created },
      ],
      hostIP: pod.hostIp,
      hostIPs: [{ ip: pod.hostIp }],
      podIP: pod.ip,
      podIPs: [{ ip: pod.ip }],
      startTime: created,
      qosClass: 'Burstable',
      containerStatuses: [containerStatus(c, tpl.image)],
    };
  }
}

/** The status of a pod no node can take: Pending, PodScheduled False (Unschedulable). */
function unscheduledStatus(message: string, since: string): JsonValue {
  return {
    phase: 'Pending',
    conditions: [
      {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message,
        lastProbeTime: null,
        lastTransitionTime: since,
      },
    ],
    qosClass: 'Burstable',
  };
}
