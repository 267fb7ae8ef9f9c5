import { getJson, type RequestOptions } from './http';
import type { Neighbours } from './detail-types';
import type { ResourceRef } from './types';

/**
 * `GET /topology/neighbours`: what a resource depends on (its owner, node, config, the services it
 * calls) and what depends on it. Rejects with an ApiError 404 when the resource is not in the
 * cluster's topology.
 */
export function getNeighbours(ref: ResourceRef, opts?: RequestOptions): Promise<Neighbours> {
  return getJson<Neighbours>(
    '/topology/neighbours',
    { cluster: ref.cluster, namespace: ref.namespace, kind: ref.kind, name: ref.name },
    opts,
  );
}
