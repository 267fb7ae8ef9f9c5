import type { AttrValue, SignalBatch } from '@sleuth/core';
import { setAttr } from '../otlp/otlp-model';
import { isSecretKey, REDACTED, redactAttributes, redactText } from './redaction';

/**
 * Redacts a Kubernetes object in place. Strings are masked by content; string values under
 * secret-named keys entirely (other types keep their value, so `automountServiceAccountToken: true`
 * stays a boolean); and `{ name: DB_PASSWORD, value: ... }` pairs, as in container env, by the name.
 */
function redactObject(v: AttrValue): AttrValue {
  if (typeof v === 'string') return redactText(v);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = redactObject(v[i] ?? null);
    return v;
  }
  const name = v['name'];
  const namedSecret = typeof name === 'string' && typeof v['value'] === 'string' && isSecretKey(name);
  for (const key in v) {
    if (Object.hasOwn(v, key)) redactEntry(v, key, namedSecret && key === 'value');
  }
  return v;
}

function redactEntry(map: Record<string, unknown>, key: string, namedSecret: boolean): void {
  const x = map[key];
  if (typeof x === 'string') {
    const r = namedSecret || isSecretKey(key) ? REDACTED : redactText(x);
    if (r !== x) setAttr(map, key, r);
  } else if (typeof x === 'object' && x !== null && isAttrValue(x)) redactObject(x);
}

/**
 * The redaction stage: masks secrets (see redactText and isSecretKey) in place, in log bodies and
 * attributes, span attributes and status messages, event messages, and object snapshots. Metric
 * labels are not redacted: they are attribute values chosen for aggregation, and scanning every
 * sample's labels would cost more than the risk warrants.
 */
export function redactBatch(batch: SignalBatch): void {
  for (const log of batch.logs) {
    log.body = redactText(log.body);
    redactAttributes(log.attributes);
  }
  for (const span of batch.spans) {
    redactAttributes(span.attributes);
    if (span.statusMessage !== undefined) span.statusMessage = redactText(span.statusMessage);
  }
  for (const event of batch.events) event.message = redactText(event.message);
  for (const snapshot of batch.objects) {
    for (const key in snapshot.object)
      if (Object.hasOwn(snapshot.object, key)) redactEntry(snapshot.object, key, false);
  }
}

/** Snapshot objects are typed `unknown` by the core schema; here they are always decoded AnyValues. */
function isAttrValue(v: unknown): v is AttrValue {
  return (
    v === null ||
    typeof v === 'string' ||
    typeof v === 'number' ||
    typeof v === 'boolean' ||
    typeof v === 'object'
  );
}
