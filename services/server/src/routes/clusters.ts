import type { FastifyInstance } from 'fastify';
import type { ClusterRegistry } from '../clusters';

/**
 * GET /api/v1/clusters: every cluster Sleuth has heard from, when last, and for the clusters this
 * server watches itself, the collector's state per resource (synced, forbidden, unavailable, failing).
 */
export function clusterRoutes(clusters: ClusterRegistry) {
  return function register(app: FastifyInstance): void {
    app.get('/clusters', () => ({ clusters: clusters.list() }));
  };
}
