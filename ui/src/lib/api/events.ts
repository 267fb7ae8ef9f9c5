import { getJson, type RequestOptions } from './http';
import type { EventsById } from './detail-types';
import type { ResourceRef } from './types';

/**
 * `GET /events/by-id`: the Kubernetes events with these store ids, in the order asked, and the ids
 * not found. `near` is where to look first (the evidence's resource); the server widens to its
 * namespace and cluster.
 */
export function getEventsById(
  ids: readonly string[],
  near: Partial<ResourceRef> = {},
  opts?: RequestOptions,
): Promise<EventsById> {
  return getJson<EventsById>(
    '/events/by-id',
    {
      ids: ids.join(','),
      cluster: near.cluster,
      namespace: near.namespace,
      kind: near.kind,
      name: near.name,
    },
    opts,
  );
}
