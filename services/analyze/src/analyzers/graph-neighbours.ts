import { refKey, type ResourceRef } from '@sleuth/core';
import type { TopologyEdge, TopologyGraph } from '../topology/graph';
import type { Neighbour } from './analyzer';

/** A resource's edges in a topology graph, each seen from the resource (the other end as `ref`). */
export function graphNeighbours(
  graph: TopologyGraph,
  ref: ResourceRef,
): { dependsOn: Neighbour[]; dependents: Neighbour[] } {
  const { dependsOn, dependents } = graph.neighbours(refKey(ref));
  const view = (e: TopologyEdge, other: string): Neighbour[] => {
    const node = graph.node(other);
    if (!node) return [];
    const n: Neighbour = {
      ref: node.ref,
      kind: e.kind,
      evidence: [...e.evidence],
      missing: node.missing === true,
    };
    if (e.calls) n.calls = { ...e.calls };
    return [n];
  };
  return {
    dependsOn: dependsOn.flatMap((e) => view(e, e.to)),
    dependents: dependents.flatMap((e) => view(e, e.from)),
  };
}
