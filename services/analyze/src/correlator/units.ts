import { refKey, type ResourceRef } from '@sleuth/core';
import type { TopologyGraph } from '../topology/graph';

/**
 * The units a resource's trouble belongs to, as topology keys: a pod's top owner (its
 * Deployment, StatefulSet, DaemonSet, CronJob), a workload itself; a node or a volume, config
 * or secret, the units whose pods run on or use it, plus itself. Incidents group anomalies by
 * unit, so ten crashing pods of one Deployment and its unavailable-replicas warning are one
 * incident, and a node going NotReady is one incident with the workloads it takes down.
 */
export function unitsOf(ref: ResourceRef, graph: TopologyGraph | undefined): Set<string> {
  const key = refKey(ref);
  const units = new Set<string>([key]);
  if (!graph?.node(key)) return units;
  switch (ref.kind) {
    case 'Node':
      // Pods running on the node (pod runs_on node: the pod depends on it).
      for (const e of graph.neighbours(key).dependents)
        if (e.kind === 'runs_on') units.add(topOwner(e.from, graph));
      break;
    case 'PersistentVolumeClaim':
    case 'ConfigMap':
    case 'Secret':
      for (const e of graph.neighbours(key).dependents) {
        if (e.kind === 'mounts' || e.kind === 'uses_configmap' || e.kind === 'uses_secret') {
          units.add(topOwner(e.from, graph));
        }
      }
      break;
    case 'Service':
      // A service's trouble (RED on a service with no workload) is its pods' owners'.
      for (const e of graph.neighbours(key).dependsOn) {
        if (e.kind === 'selects' || e.kind === 'endpoint') units.add(topOwner(e.to, graph));
      }
      break;
    default: {
      const owner = topOwner(key, graph);
      units.add(owner);
      // The claims its pods mount are its own (unlike a node, a claim is not shared by
      // unrelated workloads): a claim stuck Pending and the pod waiting on it are one incident,
      // whichever of them is seen first.
      if (ref.kind === 'Pod')
        for (const e of graph.neighbours(key).dependsOn) if (e.kind === 'mounts') units.add(e.to);
    }
  }
  return units;
}

/** Follows `owns` edges up from a node to the controller at the top (or itself). */
export function topOwner(key: string, graph: TopologyGraph): string {
  let current = key;
  for (let hops = 0; hops < 4; hops++) {
    const owner = graph.neighbours(current).dependents.find((e) => e.kind === 'owns');
    if (!owner) break;
    current = owner.from;
  }
  return current;
}

/**
 * Units one call away from these in the service graph: a workload's Services' `calls` edges,
 * both ways (a failing database explains its callers' errors, and the callers' errors point at
 * the database), or only the ones these call (`callees`).
 */
export function callNeighbours(
  units: ReadonlySet<string>,
  graph: TopologyGraph | undefined,
  direction: 'both' | 'callees' = 'both',
): Set<string> {
  const out = new Set<string>();
  if (!graph) return out;
  // The units' Services: down the `owns` edges to their pods, then the Services selecting them.
  const ends = new Set<string>(units);
  let frontier = [...units];
  for (let depth = 0; depth < 3 && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const k of frontier) {
      for (const e of graph.neighbours(k).dependsOn) if (e.kind === 'owns') next.push(e.to);
      for (const e of graph.neighbours(k).dependents) {
        if (e.kind === 'selects' || e.kind === 'endpoint') ends.add(e.from);
      }
    }
    frontier = next;
  }
  const add = (key: string) => {
    const node = graph.node(key);
    if (node) for (const u of unitsOf(node.ref, graph)) out.add(u);
  };
  for (const k of ends) {
    const { dependsOn, dependents } = graph.neighbours(k);
    for (const e of dependsOn) if (e.kind === 'calls') add(e.to);
    if (direction === 'both') for (const e of dependents) if (e.kind === 'calls') add(e.from);
  }
  return out;
}

/** Units these call, directly or through up to `hops` calls in all (not the units themselves). */
export function calleesWithin(units: ReadonlySet<string>, graph: TopologyGraph, hops: number): Set<string> {
  const out = new Set<string>();
  let frontier = new Set(units);
  for (let hop = 0; hop < hops && frontier.size > 0; hop++) {
    const next = new Set<string>();
    for (const u of callNeighbours(frontier, graph, 'callees')) {
      if (units.has(u) || out.has(u)) continue;
      out.add(u);
      next.add(u);
    }
    frontier = next;
  }
  return out;
}
