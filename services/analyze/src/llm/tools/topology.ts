import { z } from 'zod';
import { refKey } from '@sleuth/core';
import type { Reached, TopologyEdge, TopologyGraph, TopologyNode } from '../../topology/graph';
import { clip, guard, refText, ResourceParam } from './common';
import { locate, ownedKeys } from './resource-scope';
import { defineTool, noData, ok } from './tool';

const MAX_EDGES = 25;
const MAX_REACHED = 30;

const params = z.object({
  resource: ResourceParam.describe('The object whose neighbours to show'),
  depth: z
    .number()
    .int()
    .min(1)
    .max(5)
    .default(3)
    .describe('How many hops of dependents the blast radius follows (default 3, max 5)'),
});

/** A neighbour as the model reads it: the edge kind, the other end, and why the edge exists. */
interface ShownEdge {
  edge: string;
  kind: string;
  name: string;
  namespace?: string;
  why: string;
  /** The member of the object's unit the edge starts from, when not the object itself. */
  via?: string;
  calls?: { count: number; errors: number; meanDurationMs: number };
  missing?: true;
  observed?: true;
}

export const topology = defineTool({
  name: 'topology',
  description:
    "Show an object's neighbours in the dependency graph: what it depends on (its pods' node, volumes, " +
    'ConfigMaps, Secrets, services it calls) and what depends on it (owners, Services, Ingresses, callers), ' +
    'plus its blast radius: everything that depends on it within `depth` hops.',
  params,
  readOnly: true,
  run(p, ctx) {
    let query: unknown = p;
    return guard(
      () => query,
      async () => {
        const { ref } = await locate(ctx, p.resource, true);
        query = { resource: ref, depth: p.depth };
        const graph = await ctx.topology.graph(ref.cluster, ctx.nowMs);
        const key = refKey(ref);
        if (!graph.node(key))
          return noData(
            query,
            `${refText(ref)} is not in the topology graph: it was deleted, or its kind has no edges`,
          );
        // The object with what it owns (a Deployment's ReplicaSets and pods) and the Services selecting them.
        const unit = await ownedKeys(ctx, ref);
        const services = new Set<string>();
        for (const k of unit)
          for (const e of graph.neighbours(k).dependents)
            if ((e.kind === 'selects' || e.kind === 'endpoint') && !unit.has(e.from)) services.add(e.from);
        const dependsOn = new Map<string, ShownEdge & { members: Set<string> }>();
        const dependents = new Map<string, ShownEdge & { members: Set<string> }>();
        for (const k of unit) {
          const { dependsOn: out, dependents: into } = graph.neighbours(k);
          for (const e of out) if (!unit.has(e.to)) add(dependsOn, graph, e, e.to, k);
          for (const e of into) if (!unit.has(e.from)) add(dependents, graph, e, e.from, k);
        }
        for (const s of services) {
          const { dependsOn: out, dependents: into } = graph.neighbours(s);
          for (const e of out) if (e.kind === 'calls') add(dependsOn, graph, e, e.to, s);
          for (const e of into)
            if (e.kind === 'calls' || e.kind === 'routes_to') add(dependents, graph, e, e.from, s);
        }
        const radius = blastRadius(graph, unit, p.depth);
        const byKind: Record<string, number> = {};
        for (const r of radius) byKind[r.node.ref.kind] = (byKind[r.node.ref.kind] ?? 0) + 1;
        const lists = { dependsOn: shown(dependsOn, graph, key), dependents: shown(dependents, graph, key) };
        const notes = [
          ...Object.entries(lists)
            .filter(([, l]) => l.length > MAX_EDGES)
            .map(([name, l]) => `${name}: ${l.length - MAX_EDGES} more left out`),
          ...(radius.length > MAX_REACHED
            ? [`blast radius: only the nearest ${MAX_REACHED} of ${radius.length} shown`]
            : []),
        ];
        return ok(
          {
            resource: ref,
            dependsOn: lists.dependsOn.slice(0, MAX_EDGES),
            dependents: lists.dependents.slice(0, MAX_EDGES),
            blastRadius: {
              total: radius.length,
              byKind,
              nearest: radius
                .slice(0, MAX_REACHED)
                .map((r) => ({ ...shortRef(r.node), depth: r.depth, edge: r.via.kind })),
            },
          },
          query,
          notes.length > 0 ? notes.join('; ') : undefined,
        );
      },
    );
  },
});

function shortRef(n: TopologyNode): Pick<ShownEdge, 'kind' | 'name' | 'namespace' | 'missing' | 'observed'> {
  return {
    kind: n.ref.kind,
    name: n.ref.name,
    ...(n.ref.namespace ? { namespace: n.ref.namespace } : {}),
    ...(n.missing ? { missing: true } : {}),
    ...(n.observed ? { observed: true } : {}),
  };
}

/** Adds an edge to `other`, once per edge kind and other end, noting which unit members it comes from. */
function add(
  into: Map<string, ShownEdge & { members: Set<string> }>,
  graph: TopologyGraph,
  e: TopologyEdge,
  other: string,
  member: string,
): void {
  const node = graph.node(other);
  if (!node) return;
  const id = `${e.kind}|${other}`;
  const existing = into.get(id);
  if (existing) {
    existing.members.add(member);
    return;
  }
  into.set(id, {
    edge: e.kind,
    ...shortRef(node),
    why: clip(e.evidence.slice(0, 3).join('; '), 120),
    ...(e.calls ? { calls: e.calls } : {}),
    members: new Set([member]),
  });
}

/** The edges as shown: `via` names the unit member(s) an edge starts from, when not the object itself. */
function shown(
  edges: Map<string, ShownEdge & { members: Set<string> }>,
  graph: TopologyGraph,
  start: string,
): ShownEdge[] {
  return [...edges.values()].map(({ members, ...edge }) => {
    const others = [...members].filter((m) => m !== start);
    const first = others[0] === undefined ? undefined : graph.node(others[0]);
    if (!first || others.length < members.size) return edge;
    const via = refText(first.ref) + (others.length > 1 ? ` and ${others.length - 1} more` : '');
    return { ...edge, via };
  });
}

/** What depends on any member of the unit within `depth` hops, nearest first, without the unit itself. */
function blastRadius(graph: TopologyGraph, unit: Set<string>, depth: number): Reached[] {
  const best = new Map<string, Reached>();
  for (const s of unit)
    for (const r of graph.downstream(s, depth)) {
      if (unit.has(r.node.key)) continue;
      const seen = best.get(r.node.key);
      if (!seen || r.depth < seen.depth) best.set(r.node.key, r);
    }
  return [...best.values()].sort((a, b) => a.depth - b.depth || a.node.key.localeCompare(b.node.key));
}
