import type { RawObject } from './kube-api';

/** What every Secret value becomes; the key names stay (a missing key is a common failure). */
export const SECRET_VALUE_MASK = '[redacted]';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Makes an object as served safe and lean to keep, in place, the moment it arrives: a Secret's
 * `data` and `stringData` values and its last-applied annotation (which holds them in clear) are
 * masked, and `metadata.managedFields` (server-side apply bookkeeping, often larger than the object)
 * is dropped. Nothing downstream of the collector ever sees a Secret value.
 */
export function sanitize(obj: RawObject): RawObject {
  const md = obj.metadata;
  if (md) {
    delete md['managedFields'];
  }
  if (obj.kind === 'Secret') {
    for (const field of ['data', 'stringData']) {
      const values = obj[field];
      if (typeof values !== 'object' || values === null) continue;
      for (const k of Object.keys(values)) (values as Record<string, unknown>)[k] = SECRET_VALUE_MASK;
    }
    const annotations = md?.['annotations'] as Record<string, unknown> | undefined;
    if (annotations && annotations[LAST_APPLIED] !== undefined) annotations[LAST_APPLIED] = SECRET_VALUE_MASK;
  }
  return obj;
}
