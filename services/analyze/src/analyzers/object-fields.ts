import type { Evidence, K8sEvent, LogRecord, ObjectSnapshot, ResourceRef } from '@sleuth/core';

/** A JSON object as Kubernetes serialises one. */
export type Json = Record<string, unknown>;

function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value as an object, `{}` when it is not one: analyzers read leniently and never throw. */
export const rec = (v: unknown): Json => (isJson(v) ? v : {});
/** The value as a list of objects, `[]` when it is not a list. */
export const list = (v: unknown): Json[] => (Array.isArray(v) ? v.map(rec) : []);
/** A non-empty string, else undefined. */
export const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
/** A finite number, else undefined. */
export const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

/** Reads a dotted path (`status.conditions`) from an object. */
export function at(o: unknown, path: string): unknown {
  let cur: unknown = o;
  for (const part of path.split('.')) cur = rec(cur)[part];
  return cur;
}

/** A string-to-string map (labels, selectors, annotations). */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(rec(v))) if (typeof val === 'string') out[k] = val;
  return out;
}

/** The status condition of `type` on an object, if reported. */
export function condition(o: Json, type: string): Json | undefined {
  return list(at(o, 'status.conditions')).find((c) => c['type'] === type);
}

/** A reference to the same cluster and namespace as `near`. */
export function sibling(near: ResourceRef, kind: string, name: string): ResourceRef {
  const ref: ResourceRef = { cluster: near.cluster, kind, name };
  if (near.namespace !== undefined) ref.namespace = near.namespace;
  return ref;
}

/** Evidence pointing at one field of an object snapshot. */
export function fieldEvidence(snap: ObjectSnapshot, field: string, summary: string): Evidence {
  return { signal: { kind: 'object', ref: snap.ref, field, timeMs: snap.timeMs }, summary };
}

/** Evidence citing events by id (events without an id are not citable and are left out). */
export function eventEvidence(events: readonly K8sEvent[], summary: string): Evidence[] {
  const ids = events.flatMap((e) => (e.id === undefined ? [] : [e.id])).slice(0, 100);
  return ids.length === 0 ? [] : [{ signal: { kind: 'event', ids }, summary }];
}

/** Evidence citing log records by id. */
export function logEvidence(logs: readonly LogRecord[], summary: string): Evidence[] {
  const ids = logs.flatMap((l) => (l.id === undefined ? [] : [l.id])).slice(0, 100);
  return ids.length === 0 ? [] : [{ signal: { kind: 'log', ids }, summary }];
}

/** `kubectl` flags naming a resource's namespace (empty for cluster-scoped). */
export function nsFlag(ref: ResourceRef): string {
  return ref.namespace === undefined ? '' : ` -n ${ref.namespace}`;
}

/** `namespace/name`, or `name` when cluster-scoped. */
export function qualified(ref: ResourceRef): string {
  return ref.namespace === undefined ? ref.name : `${ref.namespace}/${ref.name}`;
}

/** The controller owner of an object (ownerReferences with controller: true, else the first). */
export function controllerOf(o: Json): { kind: string; name: string } | undefined {
  const owners = list(at(o, 'metadata.ownerReferences'));
  const owner = owners.find((r) => r['controller'] === true) ?? owners[0];
  const kind = text(owner?.['kind']);
  const name = text(owner?.['name']);
  return kind && name ? { kind, name } : undefined;
}

/** Cuts text for titles and summaries, marking the cut. */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, m: 1e-3 };

/** A Kubernetes quantity (`512Mi`, `1G`, `250m`, `1e3`) as a number; undefined when unreadable. */
export function quantity(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^([0-9.]+(?:e[0-9]+)?)([KMGTP]i|[kMGTPm])?$/.exec(v.trim());
  if (!m?.[1]) return undefined;
  const base = Number(m[1]);
  if (!Number.isFinite(base)) return undefined;
  const unit = m[2];
  if (unit === undefined) return base;
  return base * (BINARY[unit] ?? DECIMAL[unit] ?? 1);
}

/** Bytes as a round binary quantity (`768Mi`), for patches and explanations. */
export function mebibytes(bytes: number): string {
  return `${Math.ceil(bytes / 2 ** 20)}Mi`;
}
