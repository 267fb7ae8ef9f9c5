import type { AttrValue, Attributes, K8sEvent, ObjectSnapshot, ResourceRef } from '@sleuth/core';
import { setAttr, type LogIn } from '../otlp/otlp-model';
import { eventFromObject, type K8sRecordContext } from './k8s-events';
import { isMap, textAttr, timeProblem } from './record-checks';

/** What every Secret value becomes, whatever else is configured. */
export const SECRET_MASK = '[redacted]';

/** kubectl's copy of the applied manifest, which for a Secret holds its values in clear. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

const WATCH_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED']);

/**
 * Whether a log record carries a Kubernetes object in k8sobjectsreceiver style: `event.domain` is
 * `k8s` (watch mode) or it has the receiver's `k8s.resource.name` attribute (both modes).
 */
export function isObjectRecord(rec: LogIn): boolean {
  const a = rec.attributes;
  return a['event.domain'] === 'k8s' || typeof a['k8s.resource.name'] === 'string';
}

function maskSecret(obj: Attributes): void {
  if (obj['kind'] !== 'Secret') return;
  for (const key of ['data', 'stringData']) {
    const values = obj[key];
    if (!isMap(values)) continue;
    for (const k in values) if (Object.hasOwn(values, k)) setAttr(values, k, SECRET_MASK);
  }
  const metadata = obj['metadata'];
  const annotations = isMap(metadata) ? metadata['annotations'] : undefined;
  if (isMap(annotations) && annotations[LAST_APPLIED] !== undefined) annotations[LAST_APPLIED] = SECRET_MASK;
}

/**
 * Masks Secret values in a map body, whether it is the Secret itself or a watch event wrapping it:
 * every value under `data` and `stringData` (keys kept) and the last-applied-configuration annotation.
 * Runs on every map body before anything else reads it, so a Secret never escapes, however it is routed.
 */
export function maskSecretBody(body: AttrValue | undefined): void {
  if (!isMap(body)) return;
  maskSecret(body);
  const inner = body['object'];
  if (isMap(inner)) maskSecret(inner);
}

/**
 * A k8sobjectsreceiver-style record to an ObjectSnapshot: the body is the object (pull mode) or a
 * watch event `{ type, object }`. DELETED gives a tombstone. An Event object (core/v1 or
 * events.k8s.io/v1) becomes a K8sEvent instead. Returns `null` for records that carry no object
 * state (watch bookmarks, the receiver's PullEnd marker, deleted Events) and a reason for invalid ones.
 */
export function objectFromLogRecord(
  rec: LogIn,
  ctx: K8sRecordContext,
): ObjectSnapshot | K8sEvent | string | null {
  const body = rec.body;
  if (!isMap(body))
    return 'Kubernetes object record body must be a map (the object, or a watch event with type and object)';
  let obj: Attributes = body;
  let watchType: string | undefined;
  const inner = body['object'];
  if (typeof body['type'] === 'string' && isMap(inner)) {
    watchType = body['type'];
    if (!WATCH_TYPES.has(watchType)) return null;
    obj = inner;
  }
  const kind = textAttr(obj, 'kind', 63);
  const metadata = isMap(obj['metadata']) ? obj['metadata'] : {};
  const name = textAttr(metadata, 'name');
  if (kind === undefined || name === undefined) return 'Kubernetes object has no kind or metadata.name';
  const timeMs = rec.timeMs ?? rec.observedMs ?? ctx.receivedMs;
  const problem = timeProblem(
    timeMs,
    rec.timeMs === undefined ? 'observedTimeUnixNano' : 'timeUnixNano',
    ctx.receivedMs,
  );
  if (problem !== undefined) return problem;
  const apiVersion = typeof obj['apiVersion'] === 'string' ? obj['apiVersion'] : '';
  if (kind === 'Event' && (apiVersion === 'v1' || apiVersion.startsWith('events.k8s.io/'))) {
    // An Event being deleted is its TTL expiring, not news about the cluster.
    return watchType === 'DELETED' ? null : eventFromObject(obj, ctx, timeMs);
  }
  const ref: ResourceRef = { cluster: ctx.cluster, kind, name };
  const namespace = textAttr(metadata, 'namespace');
  if (namespace !== undefined) ref.namespace = namespace;
  const uid = textAttr(metadata, 'uid', 64);
  if (uid !== undefined) ref.uid = uid;
  const snapshot: ObjectSnapshot = { ref, apiVersion, timeMs, deleted: watchType === 'DELETED', object: obj };
  const resourceVersion = textAttr(metadata, 'resourceVersion', Infinity);
  if (resourceVersion !== undefined) snapshot.resourceVersion = resourceVersion;
  return snapshot;
}
