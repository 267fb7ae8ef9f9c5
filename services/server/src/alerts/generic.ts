import { ValidationError } from '@sleuth/core';
import { labelFingerprint, type IncomingAlert, type IncomingDelivery, type ReceiverConfig } from './payloads';

type Mapping = NonNullable<ReceiverConfig['mapping']>;

/** The mapping a generic receiver uses when its config gives none: Alertmanager-like field names. */
export const DEFAULT_MAPPING: Mapping = {
  alerts: 'alerts',
  name: 'labels.alertname',
  status: 'status',
  resolvedValues: ['resolved', 'ok', 'closed', 'recovered'],
  fingerprint: 'fingerprint',
  startsAt: 'startsAt',
  endsAt: 'endsAt',
  labels: 'labels',
  annotations: 'annotations',
};

/** The value at a dotted path (`a.b.0.c`); undefined where the path leads nowhere. */
export function valueAt(root: unknown, path: string): unknown {
  if (path === '') return root;
  let node: unknown = root;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    // Own properties only: a path must not reach Object.prototype.
    if (!Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The latest time a Date can hold, epoch ms: later ones cannot be shown or compared as dates. */
const MAX_DATE_MS = 8.64e15;

/** RFC 3339 text, or a number of Unix seconds (< 1e11) or milliseconds, up to MAX_DATE_MS. */
function timeOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) {
    const ms = v < 1e11 ? v * 1000 : v;
    return ms <= MAX_DATE_MS ? ms : undefined;
  }
  if (typeof v === 'string' && v !== '') {
    if (/^\d+(\.\d+)?$/.test(v)) return timeOf(Number(v));
    const ms = Date.parse(v);
    return Number.isFinite(ms) && ms > 0 ? ms : undefined;
  }
  return undefined;
}

/** An object of labels with every value made text; nested objects are refused. */
function stringMap(v: unknown, what: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`${what}: expected an object`);
  const out: Record<string, string> = {};
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > 200) throw new Error(`${what}: more than 200 entries`);
  for (const [k, x] of entries) {
    if (k === '' || k.length > 1024) throw new Error(`${what}: a key is empty or longer than 1024`);
    if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean')
      throw new Error(`${what}.${k}: expected text, a number or a boolean`);
    const s = String(x);
    if (s.length > 16_384) throw new Error(`${what}.${k}: longer than 16384 characters`);
    out[k] = s;
  }
  return out;
}

function oneAlert(raw: unknown, m: Mapping, where: string, nowMs: number): IncomingAlert {
  const labels = stringMap(valueAt(raw, m.labels), `${where}${m.labels}`);
  const annotations = stringMap(valueAt(raw, m.annotations), `${where}${m.annotations}`);
  const rawName = valueAt(raw, m.name);
  if (typeof rawName !== 'string' || rawName === '') {
    throw new Error(`${where}${m.name}: the alert name is missing (mapping.name)`);
  }
  const rawStatus = valueAt(raw, m.status);
  if (typeof rawStatus !== 'string' || rawStatus === '') {
    throw new Error(`${where}${m.status}: the status is missing (mapping.status)`);
  }
  const resolved = m.resolvedValues.some((v) => v.toLowerCase() === rawStatus.toLowerCase());
  const rawStart = valueAt(raw, m.startsAt);
  const startsAt = rawStart === undefined ? nowMs : timeOf(rawStart);
  if (startsAt === undefined) throw new Error(`${where}${m.startsAt}: not a time (RFC 3339 or Unix time)`);
  const endsAt = resolved ? timeOf(valueAt(raw, m.endsAt)) : undefined;
  const fp = m.fingerprint === '' ? undefined : valueAt(raw, m.fingerprint);
  const name = rawName.slice(0, 500);
  const given = typeof fp === 'string' || typeof fp === 'number' ? String(fp).slice(0, 200) : '';
  return {
    fingerprint: given === '' ? labelFingerprint(name, labels) : given,
    name,
    status: resolved ? 'resolved' : 'firing',
    startsAt,
    ...(rawStart === undefined ? { startAssumed: true } : {}),
    ...(endsAt !== undefined ? { endsAt } : {}),
    labels: { alertname: name, ...labels },
    annotations,
  };
}

/**
 * Reads a generic JSON webhook through the receiver's mapping: the alerts array (or the body as one
 * alert), each alert's name, status, times, labels and annotations. A body whose alerts cannot be
 * found throws ValidationError; an alert that does not fit the mapping is left out and reported.
 * An alert without a start time is marked `startAssumed`: it is the firing instance already known
 * for its fingerprint, else one starting when it is received.
 */
export function parseGenericPayload(
  body: unknown,
  mapping: Mapping | undefined,
  maxAlerts: number,
  nowMs: number,
): IncomingDelivery {
  const m = mapping ?? DEFAULT_MAPPING;
  const list = m.alerts === '' ? [body] : valueAt(body, m.alerts);
  if (!Array.isArray(list)) {
    throw new ValidationError(
      m.alerts === ''
        ? 'the body must be a JSON object (one alert)'
        : `${m.alerts}: expected an array of alerts (mapping.alerts)`,
    );
  }
  if (list.length > maxAlerts) {
    throw new ValidationError(`${m.alerts}: ${list.length} alerts, more than the ${maxAlerts} allowed`);
  }
  const out: IncomingDelivery = { alerts: [], rejected: [], truncatedAlerts: 0 };
  list.forEach((raw, index) => {
    const where = m.alerts === '' ? '' : `${m.alerts}.${index}.`;
    try {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
        throw new Error(`${where}: expected an object`);
      out.alerts.push(oneAlert(raw, m, where, nowMs));
    } catch (err) {
      out.rejected.push({ index, problem: (err as Error).message });
    }
  });
  return out;
}
