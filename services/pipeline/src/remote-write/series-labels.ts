import type { SignalSource } from '@sleuth/core';
import { sourceLabels } from '../stages/resource-source';

/** Longest metric name MetricPoint holds. */
const MAX_NAME = 255;
/** Longest value a SignalSource field holds; longer label values are cut there, never rejected. */
const MAX_SOURCE = 253;

/** Workload labels (kube-state-metrics' names) in order of preference, with the kind they name. */
const WORKLOADS: readonly (readonly [label: string, kind: string])[] = [
  ['deployment', 'Deployment'],
  ['statefulset', 'StatefulSet'],
  ['daemonset', 'DaemonSet'],
];

/** How a receiver finds a series' cluster. */
export interface ClusterRule {
  /** Label naming the cluster (prometheus.remoteWrite.clusterLabel). */
  label: string;
  /** Cluster of series without that label. */
  fallback: string;
}

/** A series' identity as Sleuth stores it, or why it cannot be stored. */
export type SeriesIdentity =
  { name: string; labels: Record<string, string>; source: SignalSource } | { problem: string };

function setLabel(labels: Record<string, string>, key: string, value: string): void {
  if (key === '__proto__')
    Object.defineProperty(labels, key, { value, enumerable: true, writable: true, configurable: true });
  else labels[key] = value;
}

function text(labels: Record<string, string>, key: string): string | undefined {
  const v = Object.hasOwn(labels, key) ? labels[key] : undefined;
  if (v === undefined || v === '') return undefined;
  return v.length > MAX_SOURCE ? v.slice(0, MAX_SOURCE) : v;
}

/** The SignalSource a series' labels name: cluster, namespace, workload, pod, container, node. */
export function sourceFromLabels(labels: Record<string, string>, cluster: ClusterRule): SignalSource {
  const source: SignalSource = { cluster: text(labels, cluster.label) ?? cluster.fallback };
  const namespace = text(labels, 'namespace');
  if (namespace !== undefined) source.namespace = namespace;
  for (const [label, kind] of WORKLOADS) {
    const name = text(labels, label);
    if (name !== undefined) {
      source.workloadKind = kind;
      source.workload = name;
      break;
    }
  }
  for (const key of ['pod', 'container', 'node'] as const) {
    const v = text(labels, key);
    if (v !== undefined) source[key] = v;
  }
  return source;
}

/**
 * Validates a series' label set and turns it into what Sleuth stores: `__name__` becomes the metric
 * name, the other labels the point labels, plus the source's normalised labels (`cluster`,
 * `workload` ...) as every Sleuth series carries them; a label that clashes with one keeps its value
 * as `exported_<name>`, as Prometheus does. Labels with an empty value are dropped (in Prometheus an
 * empty label is an absent one). A set without `__name__`, with an empty name or with a name twice is
 * a problem.
 */
export function seriesIdentity(wire: readonly [string, string][], cluster: ClusterRule): SeriesIdentity {
  const labels: Record<string, string> = {};
  const seen = new Set<string>();
  let name: string | undefined;
  for (const [key, value] of wire) {
    if (key === '') return { problem: 'a label has an empty name' };
    if (seen.has(key)) return { problem: `label ${JSON.stringify(key.slice(0, 100))} appears twice` };
    seen.add(key);
    if (key === '__name__') name = value;
    else if (value !== '') setLabel(labels, key, value);
  }
  if (name === undefined || name === '') return { problem: 'the series has no __name__ label' };
  if (name.length > MAX_NAME) return { problem: `the metric name is longer than ${MAX_NAME} characters` };
  const source = sourceFromLabels(labels, cluster);
  for (const [key, value] of sourceLabels(source)) {
    const own = Object.hasOwn(labels, key) ? labels[key] : undefined;
    if (own === value) continue;
    if (own !== undefined) setLabel(labels, `exported_${key}`, own);
    labels[key] = value;
  }
  return { name, labels, source };
}
