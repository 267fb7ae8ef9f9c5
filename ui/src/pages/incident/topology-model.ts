/**
 * A resource's neighbours in the topology grouped by edge kind and direction, worded from the
 * resource's side: "runs on" a Node, "owned by" a ReplicaSet, "selected by" a Service.
 */
import type { Neighbours, TopologyEdge, TopologyNode } from '../../lib/api/detail-types';

type EdgeKind = TopologyEdge['kind'];

/** This resource → the other (what it needs). */
const OUT: Record<EdgeKind, string> = {
  owns: 'owns',
  selects: 'selects',
  endpoint: 'has endpoint',
  routes_to: 'routes to',
  runs_on: 'runs on',
  mounts: 'mounts',
  bound_to: 'bound to',
  uses_configmap: 'uses ConfigMap',
  uses_secret: 'uses Secret',
  scaled_by: 'scaled by',
  calls: 'calls',
};

/** The other → this resource (what needs it). */
const IN: Record<EdgeKind, string> = {
  owns: 'owned by',
  selects: 'selected by',
  endpoint: 'endpoint of',
  routes_to: 'routed to by',
  runs_on: 'runs',
  mounts: 'mounted by',
  bound_to: 'bound by',
  uses_configmap: 'used by',
  uses_secret: 'used by',
  scaled_by: 'scales',
  calls: 'called by',
};

export interface NeighbourGroup {
  direction: 'out' | 'in';
  kind: EdgeKind;
  /** "runs on", "owned by". */
  phrase: string;
  items: { edge: TopologyEdge; node: TopologyNode | undefined; key: string }[];
}

/** Groups in a stable order: what it needs first, then what needs it; by edge kind within each. */
export function groupNeighbours(n: Neighbours): NeighbourGroup[] {
  const groups = new Map<string, NeighbourGroup>();
  const add = (direction: 'out' | 'in', edge: TopologyEdge, node: TopologyNode | undefined) => {
    const id = `${direction} ${edge.kind}`;
    let g = groups.get(id);
    if (!g) {
      g = { direction, kind: edge.kind, phrase: (direction === 'out' ? OUT : IN)[edge.kind], items: [] };
      groups.set(id, g);
    }
    g.items.push({ edge, node, key: direction === 'out' ? edge.to : edge.from });
  };
  for (const { edge, node } of n.dependsOn) add('out', edge, node);
  for (const { edge, node } of n.dependents) add('in', edge, node);
  return [...groups.values()].sort(
    (a, b) =>
      (a.direction === b.direction ? 0 : a.direction === 'out' ? -1 : 1) || a.phrase.localeCompare(b.phrase),
  );
}
