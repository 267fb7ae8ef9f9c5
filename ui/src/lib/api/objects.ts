import { getJson, type RequestOptions } from './http';
import type { ObjectHistory } from './detail-types';
import type { ObjectSnapshot, ResourceRef } from './types';

/** `/objects/{cluster}/{namespace}/{kind}/{name}` (`-` for a cluster-scoped object's namespace). */
function objectPath(ref: ResourceRef): string {
  return `/objects/${[ref.cluster, ref.namespace ?? '-', ref.kind, ref.name].map(encodeURIComponent).join('/')}`;
}

/** The latest stored state of an object; an ApiError 404 when none is stored. */
export function getObject(ref: ResourceRef, opts?: RequestOptions): Promise<ObjectSnapshot> {
  return getJson<ObjectSnapshot>(objectPath(ref), {}, opts);
}

/** Past states of an object in a window (epoch ms, `to` exclusive), newest first. */
export async function getObjectHistory(
  ref: ResourceRef,
  window: { fromMs?: number; toMs?: number; limit?: number },
  opts?: RequestOptions,
): Promise<ObjectSnapshot[]> {
  const body = await getJson<ObjectHistory>(
    `${objectPath(ref)}/history`,
    { from: window.fromMs, to: window.toMs, limit: window.limit },
    opts,
  );
  return body.snapshots;
}
