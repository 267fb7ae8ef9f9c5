import type { ObjectSnapshot } from '@sleuth/core';
import { list, rec, text, type Json } from './object-fields';

/** One place a pod spec reads a ConfigMap or Secret. */
export interface ConfigRef {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  /** The key read (env valueFrom, volume items); absent when the whole object is read. */
  key?: string;
  /** The pod starts without it when it is missing. */
  optional: boolean;
  /** The container that reads it; absent for volumes and imagePullSecrets. */
  container?: string;
  /** Where in the pod spec (`spec.containers[name=api].env[name=DB_URL]`). */
  field: string;
}

/** Every ConfigMap/Secret reference of a pod spec (`spec` of a Pod or of a pod template). */
export function configRefs(spec: Json, prefix = 'spec'): ConfigRef[] {
  const out: ConfigRef[] = [];
  const add = (
    kind: ConfigRef['kind'],
    src: Json,
    nameField: string,
    field: string,
    container?: string,
    key?: string,
  ): void => {
    const name = text(src[nameField]);
    if (!name) return;
    out.push({
      kind,
      name,
      optional: src['optional'] === true,
      field,
      ...(key ? { key } : {}),
      ...(container ? { container } : {}),
    });
  };
  for (const init of [true, false]) {
    const group = init ? 'initContainers' : 'containers';
    for (const c of list(spec[group])) {
      const cname = text(c['name']) ?? '?';
      const cfield = `${prefix}.${group}[name=${cname}]`;
      for (const e of list(c['env'])) {
        const from = rec(e['valueFrom']);
        const field = `${cfield}.env[name=${text(e['name']) ?? '?'}]`;
        const cm = rec(from['configMapKeyRef']);
        add('ConfigMap', cm, 'name', field, cname, text(cm['key']));
        const s = rec(from['secretKeyRef']);
        add('Secret', s, 'name', field, cname, text(s['key']));
      }
      list(c['envFrom']).forEach((e, i) => {
        add('ConfigMap', rec(e['configMapRef']), 'name', `${cfield}.envFrom[${i}]`, cname);
        add('Secret', rec(e['secretRef']), 'name', `${cfield}.envFrom[${i}]`, cname);
      });
    }
  }
  for (const v of list(spec['volumes'])) {
    const field = `${prefix}.volumes[name=${text(v['name']) ?? '?'}]`;
    const cm = rec(v['configMap']);
    for (const key of itemKeys(cm)) add('ConfigMap', cm, 'name', field, undefined, key);
    const s = rec(v['secret']);
    for (const key of itemKeys(s)) add('Secret', s, 'secretName', field, undefined, key);
    for (const src of list(rec(v['projected'])['sources'])) {
      const pcm = rec(src['configMap']);
      for (const key of itemKeys(pcm)) add('ConfigMap', pcm, 'name', field, undefined, key);
      const ps = rec(src['secret']);
      for (const key of itemKeys(ps)) add('Secret', ps, 'name', field, undefined, key);
    }
  }
  list(spec['imagePullSecrets']).forEach((s, i) =>
    add('Secret', s, 'name', `${prefix}.imagePullSecrets[${i}]`),
  );
  return out;
}

/** The keys a volume source projects (`items[].key`), or one undefined entry for "all keys". */
function itemKeys(src: Json): (string | undefined)[] {
  const keys = list(src['items']).flatMap((i) => {
    const k = text(i['key']);
    return k ? [k] : [];
  });
  return keys.length > 0 ? keys : [undefined];
}

/** The key names a ConfigMap or Secret holds (`data` and `binaryData`); values are never read. */
export function keyNames(snap: ObjectSnapshot): Set<string> {
  return new Set([...Object.keys(rec(snap.object['data'])), ...Object.keys(rec(snap.object['binaryData']))]);
}

/** What is wrong with one reference: the object is missing, or it lacks the key. */
export interface BrokenRef {
  ref: ConfigRef;
  problem: 'missing-object' | 'missing-key';
}

/**
 * The required references whose object is missing or lacks the key read. `lookup` answers the
 * latest snapshot of a ConfigMap/Secret by name (undefined when not collected).
 */
export async function brokenRefs(
  refs: readonly ConfigRef[],
  lookup: (kind: ConfigRef['kind'], name: string) => Promise<ObjectSnapshot | undefined>,
): Promise<BrokenRef[]> {
  const out: BrokenRef[] = [];
  for (const r of refs) {
    if (r.optional) continue;
    const snap = await lookup(r.kind, r.name);
    if (!snap) out.push({ ref: r, problem: 'missing-object' });
    else if (r.key !== undefined && !keyNames(snap).has(r.key)) out.push({ ref: r, problem: 'missing-key' });
  }
  return out;
}
