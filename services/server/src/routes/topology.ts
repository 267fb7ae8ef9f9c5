import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError, refKey, ValidationError } from '@sleuth/core';
import type { Reached, TopologyEdge, TopologyGraph, TopologySource } from '@sleuth/analyze';
import type { ServerMetrics } from '../metrics';
import type { ScopeViews } from '../auth/scope-views';

const Resource = z.object({
  cluster: z.string().min(1).max(253),
  /** Absent (or `-`) for cluster-scoped kinds such as Node and PersistentVolume. */
  namespace: z.string().min(1).max(253).optional(),
  kind: z.string().min(1).max(63),
  name: z.string().min(1).max(253),
});
const Depth = z.coerce.number().int().min(1).max(10).default(6);

/** Most nodes one answer carries; a bigger graph asks for a namespace. */
const MAX_NODES = 20_000;

function keyOf(q: z.infer<typeof Resource>): string {
  const ns = q.namespace === undefined || q.namespace === '-' ? {} : { namespace: q.namespace };
  return refKey({ cluster: q.cluster, kind: q.kind, name: q.name, ...ns });
}

/** The node, or a 404 that says what the graph does hold. */
function nodeOf(g: TopologyGraph, q: z.infer<typeof Resource>): string {
  const key = keyOf(q);
  if (!g.node(key)) {
    throw new NotFoundError(
      g.allNodes().length === 0
        ? `no objects of cluster ${q.cluster} are known: nothing collected or imported for it`
        : `${q.kind} ${q.namespace ? `${q.namespace}/` : ''}${q.name} is not in the topology of cluster ${q.cluster}`,
      { key },
    );
  }
  return key;
}

const reached = (r: Reached) => ({ ...r.node, depth: r.depth, via: r.via });

export interface TopologyRouteDeps {
  topology: TopologySource;
  metrics: ServerMetrics;
  views: ScopeViews;
}

const scoped = { config: { scoped: true } } as const;

/**
 * The dependency graph of a cluster (docs/topology.md). Every edge reads "from depends on to":
 * upstream is what a resource needs, downstream (its blast radius) is what needs it. A scoped
 * principal gets the graph built from what its scope sees: no node outside it, and no edge or walk
 * through one.
 */
export function topologyRoutes({ topology, metrics, views }: TopologyRouteDeps) {
  return function register(base: FastifyInstance): void {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const graph = (req: FastifyRequest, cluster: string) => {
      const source = views.of(req.principal)?.topology ?? topology;
      return metrics.timeQuery('topology', () => source.graph(cluster));
    };

    app.get(
      '/topology',
      {
        ...scoped,
        schema: {
          querystring: z.object({
            cluster: z.string().min(1).max(253),
            namespace: z.string().min(1).max(253).optional(),
          }),
        },
      },
      async (req) => {
        const { cluster, namespace } = req.query;
        const g = await graph(req, cluster);
        let nodes = g.allNodes();
        let edges: TopologyEdge[] = g.allEdges();
        if (namespace !== undefined) {
          // The namespace's nodes, and what they are linked to elsewhere (nodes, volumes, callers).
          const inside = new Set(nodes.filter((n) => n.ref.namespace === namespace).map((n) => n.key));
          edges = edges.filter((e) => inside.has(e.from) || inside.has(e.to));
          const linked = new Set([...inside, ...edges.flatMap((e) => [e.from, e.to])]);
          nodes = nodes.filter((n) => linked.has(n.key));
        }
        if (nodes.length > MAX_NODES) {
          throw new ValidationError(
            `the topology of ${cluster} has ${nodes.length} nodes, more than ${MAX_NODES}: ask for one namespace`,
            { nodes: nodes.length },
          );
        }
        return { cluster, builtMs: g.builtMs, nodes, edges };
      },
    );

    app.get('/topology/neighbours', { ...scoped, schema: { querystring: Resource } }, async (req) => {
      const g = await graph(req, req.query.cluster);
      const key = nodeOf(g, req.query);
      const { dependsOn, dependents } = g.neighbours(key);
      const node = (k: string) => g.node(k);
      return {
        node: g.node(key),
        dependsOn: dependsOn.map((e) => ({ edge: e, node: node(e.to) })),
        dependents: dependents.map((e) => ({ edge: e, node: node(e.from) })),
      };
    });

    app.get(
      '/topology/upstream',
      { ...scoped, schema: { querystring: Resource.extend({ depth: Depth }) } },
      async (req) => {
        const g = await graph(req, req.query.cluster);
        const key = nodeOf(g, req.query);
        return { node: g.node(key), upstream: g.upstream(key, req.query.depth).map(reached) };
      },
    );

    app.get(
      '/topology/downstream',
      { ...scoped, schema: { querystring: Resource.extend({ depth: Depth }) } },
      async (req) => {
        const g = await graph(req, req.query.cluster);
        const key = nodeOf(g, req.query);
        return { node: g.node(key), downstream: g.downstream(key, req.query.depth).map(reached) };
      },
    );

    app.get(
      '/topology/blast-radius',
      { ...scoped, schema: { querystring: Resource.extend({ depth: Depth }) } },
      async (req) => {
        const g = await graph(req, req.query.cluster);
        const key = nodeOf(g, req.query);
        const affected = g.downstream(key, req.query.depth);
        const byKind: Record<string, number> = {};
        for (const r of affected) byKind[r.node.ref.kind] = (byKind[r.node.ref.kind] ?? 0) + 1;
        return { node: g.node(key), total: affected.length, byKind, affected: affected.map(reached) };
      },
    );
  };
}
