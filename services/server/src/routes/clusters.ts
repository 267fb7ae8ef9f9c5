import type { FastifyInstance } from 'fastify';
import type { ClusterRegistry } from '../clusters';

/**
 * GET /api/v1/clusters: every cluster Sleuth has heard from, when last, and for the clusters this
 * server watches itself, the collector's state per resource (synced, forbidden, unavailable, failing).
 * A scoped principal sees the clusters its scope grants something of.
 */
export function clusterRoutes(clusters: ClusterRegistry) {
  return function register(app: FastifyInstance): void {
    app.get('/clusters', { config: { scoped: true } }, (req) => {
      const scope = req.principal?.scope ?? 'all';
      const all = clusters.list();
      if (scope === 'all') return { clusters: all };
      const granted = new Set(scope.map((g) => g.cluster));
      return { clusters: all.filter((c) => granted.has(c.name)) };
    });
  };
}
