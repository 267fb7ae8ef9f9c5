import type { ObjectSnapshot } from '@sleuth/core';

/** What changed between two states of one object, in words; empty when nothing that matters did. */
export function describeChange(before: ObjectSnapshot | undefined, after: ObjectSnapshot): string[] {
  if (after.deleted) return ['deleted'];
  if (!before || before.deleted) return ['created'];
  const out: string[] = [];
  const a = imagesOf(before.object);
  const b = imagesOf(after.object);
  for (const [container, image] of b) {
    const old = a.get(container);
    if (old !== undefined && old !== image) out.push(`image of container ${container}: ${old} → ${image}`);
    if (old === undefined && a.size > 0) out.push(`container ${container} added (${image})`);
  }
  for (const container of a.keys()) if (!b.has(container)) out.push(`container ${container} removed`);
  const replicas = (o: ObjectSnapshot): unknown => field(o.object, 'spec', 'replicas');
  if (replicas(before) !== replicas(after) && replicas(after) !== undefined)
    out.push(`replicas ${shown(replicas(before))} → ${shown(replicas(after))}`);
  const dataKeys = changedDataKeys(before.object, after.object);
  if (dataKeys.length > 0) out.push(`data changed (${dataKeys.slice(0, 10).join(', ')})`);
  const gen = (o: ObjectSnapshot): unknown => field(o.object, 'metadata', 'generation');
  if (out.length === 0 && typeof gen(after) === 'number' && gen(before) !== gen(after)) {
    out.push(`spec changed (generation ${shown(gen(before))} → ${shown(gen(after))})`);
  }
  return out;
}

/** When the object says it was created (metadata.creationTimestamp), epoch ms. */
export function createdMs(s: ObjectSnapshot): number | undefined {
  const t = field(s.object, 'metadata', 'creationTimestamp');
  const ms = typeof t === 'string' ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

const shown = (v: unknown): string => (typeof v === 'number' || typeof v === 'string' ? String(v) : '?');

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function field(o: unknown, ...path: string[]): unknown {
  let v = o;
  for (const p of path) v = isRecord(v) ? v[p] : undefined;
  return v;
}

/** Container name → image, from a pod template (workloads) or a pod spec. */
function imagesOf(o: Record<string, unknown>): Map<string, string> {
  const spec =
    field(o, 'spec', 'template', 'spec') ?? field(o, 'spec', 'jobTemplate', 'spec', 'template', 'spec');
  const out = new Map<string, string>();
  for (const list of ['initContainers', 'containers']) {
    const cs = field(spec, list);
    if (!Array.isArray(cs)) continue;
    for (const c of cs) {
      const name = field(c, 'name');
      const image = field(c, 'image');
      if (typeof name === 'string' && typeof image === 'string') out.set(name, image);
    }
  }
  return out;
}

/**
 * Keys of `data`/`binaryData`/`stringData` whose values differ (ConfigMaps; Secrets are stored
 * masked). Only key names are reported, never values.
 */
function changedDataKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set<string>();
  for (const section of ['data', 'binaryData', 'stringData']) {
    const x = field(a, section);
    const y = field(b, section);
    const xs = isRecord(x) ? x : {};
    const ys = isRecord(y) ? y : {};
    for (const k of new Set([...Object.keys(xs), ...Object.keys(ys)])) {
      if (JSON.stringify(xs[k]) !== JSON.stringify(ys[k])) keys.add(k);
    }
  }
  return [...keys].sort();
}
