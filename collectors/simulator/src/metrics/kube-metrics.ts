import { runningAt } from '../model/history';
import { cpuLimitMilli, memoryLimitBytes } from '../model/pods';
import { nodeResource, podResource, workloadResource } from '../model/resources';
import type { ClusterRuntime } from '../model/runtime';
import { nodeTaints } from '../model/node-health';
import {
  isLive,
  type ConditionState,
  type NodeState,
  type PodState,
  type WorkloadState,
} from '../model/state';
import { scrapeHpaMetrics } from './hpa-metrics';
import { scrapeRuntimeMetrics } from './runtime-metrics';
import type { MetricInfo } from './series-registry';

const info = (unit: string, description: string): MetricInfo => ({ unit, description });
const M = {
  cpu: info('s', 'Cumulative CPU time consumed by the container (cAdvisor).'),
  mem: info('By', 'Current working set of the container (cAdvisor).'),
  rx: info('By', 'Bytes received by the pod (cAdvisor).'),
  tx: info('By', 'Bytes transmitted by the pod (cAdvisor).'),
  restarts: info('1', 'Number of container restarts (kube-state-metrics).'),
  ready: info('1', 'Whether the container readiness check succeeded (kube-state-metrics).'),
  running: info('1', 'Whether the container is running (kube-state-metrics).'),
  waiting: info('1', 'The reason the container is waiting (kube-state-metrics).'),
  terminated: info('1', 'The reason the container is terminated (kube-state-metrics).'),
  lastTerminated: info('1', 'The reason the container last terminated (kube-state-metrics).'),
  exitCode: info('1', 'The exit code of the container’s last termination (kube-state-metrics).'),
  limits: info('1', 'Container resource limits (kube-state-metrics).'),
  requests: info('1', 'Container resource requests (kube-state-metrics).'),
  phase: info('1', 'The pod’s current phase (kube-state-metrics).'),
  podReady: info('1', 'Whether the pod is ready (kube-state-metrics).'),
  gauge: info('1', 'Kubernetes object state (kube-state-metrics).'),
  nodeMem: info('By', 'Memory available on the node (node_exporter).'),
  load: info('1', 'One-minute load average (node_exporter).'),
};
const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];

/** cAdvisor and kube-state-metrics series of one pod, scraped at `atMs` over a `seconds` window. */
function podMetrics(
  rt: ClusterRuntime,
  w: WorkloadState,
  pod: PodState,
  atMs: number,
  seconds: number,
): void {
  const r = podResource(rt.name, w, pod);
  const c = pod.container;
  const m = rt.metrics;
  const served = pod.served;
  pod.served = 0;
  if (runningAt(c, atMs) && c.status.phase === 'running') {
    const demand = w.spec.cpuIdleCores + (w.spec.cpuPerRequest * served) / Math.max(1, seconds);
    // The CFS quota caps what the container gets; demand above it is throttled.
    const limit = cpuLimitMilli(w, pod) / 1000;
    pod.cpuPressure = limit > 0 ? demand / limit : 0;
    const capacity = w.spec.capacityRps;
    pod.utilisation = capacity ? served / Math.max(1, seconds) / capacity : 0;
    const cores = limit > 0 ? Math.min(demand, limit * 0.97) : demand;
    const up = Math.min(seconds, (atMs - c.processStartMs) / 1000);
    const used = cores * up * rt.rng.float(0.85, 1.15);
    c.cpuSeconds += used;
    pod.cpuCores = used / Math.max(1, seconds);
    m.add({ resource: r, name: 'container_cpu_usage_seconds_total' }, M.cpu, used, c.processStartMs, true);
    m.gauge({ resource: r, name: 'container_memory_working_set_bytes' }, M.mem, Math.round(c.memoryBytes));
    scrapeRuntimeMetrics(rt, w, pod, seconds);
    m.touchResource(r, c.processStartMs);
  }
  const bytes = served * 2400 + seconds * 300;
  m.add(
    { resource: r, name: 'container_network_receive_bytes_total' },
    M.rx,
    Math.round(bytes * 0.4),
    pod.createdMs,
  );
  m.add(
    { resource: r, name: 'container_network_transmit_bytes_total' },
    M.tx,
    Math.round(bytes),
    pod.createdMs,
  );
  m.setCounter(
    { resource: r, name: 'kube_pod_container_status_restarts_total' },
    M.restarts,
    c.restartCount,
    pod.createdMs,
  );
  m.gauge({ resource: r, name: 'kube_pod_container_status_ready' }, M.ready, c.ready ? 1 : 0);
  m.gauge(
    { resource: r, name: 'kube_pod_container_status_running' },
    M.running,
    c.status.phase === 'running' ? 1 : 0,
  );
  if (c.status.phase === 'waiting')
    m.gauge(
      { resource: r, name: 'kube_pod_container_status_waiting_reason', attrs: { reason: c.status.reason } },
      M.waiting,
      1,
    );
  if (c.status.phase === 'terminated')
    m.gauge(
      {
        resource: r,
        name: 'kube_pod_container_status_terminated_reason',
        attrs: { reason: c.status.info.reason },
      },
      M.terminated,
      1,
    );
  if (c.lastTerminated) {
    m.gauge(
      {
        resource: r,
        name: 'kube_pod_container_status_last_terminated_reason',
        attrs: { reason: c.lastTerminated.reason },
      },
      M.lastTerminated,
      1,
    );
    m.gauge(
      { resource: r, name: 'kube_pod_container_status_last_terminated_exitcode' },
      M.exitCode,
      c.lastTerminated.exitCode,
    );
  }
  m.gauge(
    { resource: r, name: 'kube_pod_container_resource_limits', attrs: { resource: 'memory', unit: 'byte' } },
    M.limits,
    memoryLimitBytes(w),
  );
  if (cpuLimitMilli(w, pod) > 0)
    m.gauge(
      { resource: r, name: 'kube_pod_container_resource_limits', attrs: { resource: 'cpu', unit: 'core' } },
      M.limits,
      cpuLimitMilli(w, pod) / 1000,
    );
  m.gauge(
    {
      resource: r,
      name: 'kube_pod_container_resource_requests',
      attrs: { resource: 'memory', unit: 'byte' },
    },
    M.requests,
    w.spec.memoryRequestMi * 1024 * 1024,
  );
  m.gauge(
    { resource: r, name: 'kube_pod_container_resource_requests', attrs: { resource: 'cpu', unit: 'core' } },
    M.requests,
    (pod.revision.template.cpuRequestMilli ?? w.spec.cpuRequestMilli) / 1000,
  );
  const phase = pod.evicted !== undefined ? 'Failed' : c.containerId !== undefined ? 'Running' : 'Pending';
  for (const p of PHASES)
    m.gauge(
      { resource: r, name: 'kube_pod_status_phase', attrs: { phase: p } },
      M.phase,
      p === phase ? 1 : 0,
    );
  for (const cond of ['true', 'false'])
    m.gauge(
      { resource: r, name: 'kube_pod_status_ready', attrs: { condition: cond } },
      M.podReady,
      String(c.ready) === cond ? 1 : 0,
    );
}

function conditionGauges(rt: ClusterRuntime, w: WorkloadState, type: string, cond: ConditionState): void {
  const resource = workloadResource(rt.name, w);
  for (const status of ['true', 'false', 'unknown']) {
    rt.metrics.gauge(
      { resource, name: 'kube_deployment_status_condition', attrs: { condition: type, status } },
      M.gauge,
      cond.status.toLowerCase() === status ? 1 : 0,
    );
  }
}

/** kube-state-metrics series of a Deployment or StatefulSet. */
function workloadMetrics(rt: ClusterRuntime, w: WorkloadState): void {
  const resource = workloadResource(rt.name, w);
  const pods = w.pods.filter(isLive);
  const ready = pods.filter((p) => p.container.ready).length;
  const g = (name: string, value: number): void => rt.metrics.gauge({ resource, name }, M.gauge, value);
  if (w.spec.kind === 'Deployment') {
    const current = w.revisions[w.revisions.length - 1];
    g('kube_deployment_spec_replicas', w.spec.replicas);
    g('kube_deployment_status_replicas', pods.length);
    g('kube_deployment_status_replicas_available', ready);
    g('kube_deployment_status_replicas_unavailable', Math.max(0, pods.length - ready));
    g('kube_deployment_status_replicas_updated', pods.filter((p) => p.revision === current).length);
    g('kube_deployment_metadata_generation', w.generation);
    g('kube_deployment_status_observed_generation', w.generation);
    conditionGauges(rt, w, 'Available', w.available);
    conditionGauges(rt, w, 'Progressing', w.progressing);
  } else {
    g('kube_statefulset_replicas', w.spec.replicas);
    g('kube_statefulset_status_replicas', pods.length);
    g('kube_statefulset_status_replicas_ready', ready);
    g('kube_statefulset_status_replicas_current', pods.length);
  }
}

/** kube-state-metrics' node conditions (Ready; DiskPressure while it is not False) and taints. */
function nodeConditionGauges(rt: ClusterRuntime, node: NodeState): void {
  const resource = nodeResource(rt.name, node.name);
  const ready = node.outage?.notReadyMs !== undefined ? 'unknown' : 'true';
  const conditions: [string, string][] = [['Ready', ready]];
  if (node.diskPressure) conditions.push(['DiskPressure', 'true']);
  for (const [condition, current] of conditions) {
    for (const status of ['true', 'false', 'unknown']) {
      if (condition === 'Ready' && status !== 'true' && ready === 'true') continue;
      rt.metrics.gauge(
        { resource, name: 'kube_node_status_condition', attrs: { condition, status } },
        M.gauge,
        status === current ? 1 : 0,
      );
    }
  }
  for (const t of nodeTaints(node)) {
    rt.metrics.gauge(
      { resource, name: 'kube_node_spec_taint', attrs: { key: t.key, value: '', effect: t.effect } },
      M.gauge,
      1,
    );
  }
}

/**
 * Scrapes the cluster's infrastructure metrics at `atMs`: cAdvisor per container, kube-state-metrics
 * per pod, workload, HPA and node, node_exporter per node.
 */
export function scrapeKubeMetrics(rt: ClusterRuntime, atMs: number, seconds: number): void {
  const { spec } = rt.state;
  const nodeMem = new Map<string, number>();
  const nodeCpu = new Map<string, number>();
  for (const w of rt.state.workloads) {
    for (const pod of w.pods) {
      const before = pod.container.cpuSeconds;
      podMetrics(rt, w, pod, atMs, seconds);
      nodeMem.set(pod.nodeName, (nodeMem.get(pod.nodeName) ?? 0) + pod.container.memoryBytes);
      nodeCpu.set(
        pod.nodeName,
        (nodeCpu.get(pod.nodeName) ?? 0) + (pod.container.cpuSeconds - before) / Math.max(1, seconds),
      );
    }
    workloadMetrics(rt, w);
  }
  scrapeHpaMetrics(rt);
  for (const node of rt.state.nodes) {
    const resource = nodeResource(rt.name, node.name);
    const total = spec.nodeMemoryGi * 1024 ** 3;
    nodeConditionGauges(rt, node);
    rt.metrics.gauge(
      { resource, name: 'kube_node_status_allocatable', attrs: { resource: 'cpu', unit: 'core' } },
      M.gauge,
      spec.nodeCpuCores - 0.08,
    );
    rt.metrics.gauge(
      { resource, name: 'kube_node_status_allocatable', attrs: { resource: 'memory', unit: 'byte' } },
      M.gauge,
      total - 512 * 1024 ** 2,
    );
    // node_exporter runs on the node: nothing is scraped from a node that is down.
    if (node.outage !== undefined) continue;
    rt.metrics.gauge(
      { resource, name: 'node_memory_MemAvailable_bytes' },
      M.nodeMem,
      Math.round(total * 0.82 - (nodeMem.get(node.name) ?? 0)),
    );
    rt.metrics.gauge(
      { resource, name: 'node_load1' },
      M.load,
      Math.round(((nodeCpu.get(node.name) ?? 0) + 0.15 + rt.rng.float(0, 0.2)) * 100) / 100,
    );
  }
}
