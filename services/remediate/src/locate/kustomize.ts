import { parseDocuments, type ObjectPath } from '../edit/yaml-edit';
import { isRecord } from '../field-path';
import {
  isInlinePatch,
  isRemote,
  KustomizationFile,
  labelSelectorMatches,
  namePatternMatches,
  UNMODELLED,
  type KustomizeImage,
  type KustomizeTarget,
} from './kustomization-file';
import { repoPath, type ManifestFiles, type ManifestObject } from './manifest-files';
import { dirOf, KUSTOMIZATION_NAMES } from './repo-scan';

/** A document that contributes to an object: its manifest, or a strategic-merge patch of it. */
export interface KSource {
  file: string;
  documentIndex: number;
  objectPath: ObjectPath;
  value: Record<string, unknown>;
  /** The kustomization that applies the patch. */
  kustomization: string;
  /** Written inside the kustomization file rather than in a file of its own. */
  inline: boolean;
  /** How many objects the patch applies to (a `target:` may select many). */
  sharedBy: number;
}

/** An `images:` entry of a kustomization and where it sits. */
export interface ImageRule extends KustomizeImage {
  kustomization: string;
  index: number;
}

/** An object as a kustomization renders it, with every document and rule that shapes it. */
export interface KObject {
  kind: string;
  apiVersion: string;
  /** The name and namespace after every prefix, suffix and namespace override. */
  name: string;
  namespace: string | undefined;
  origName: string;
  labels: Record<string, string>;
  base: KSource;
  /** Strategic-merge patches, in the order Kustomize applies them (innermost kustomization first). */
  patches: KSource[];
  /** Kustomizations whose JSON 6902 patches target the object. */
  json6902: string[];
  images: ImageRule[];
  /** Kustomizations whose labels are also written into selectors. */
  selectorLabels: string[];
  /** Features on the way that could change any field ("the components of overlays/prod/kustomization.yaml"). */
  unsupported: string[];
}

export interface KBuild {
  objects: KObject[];
  /** Things a person should know when the object is not found (remote bases, unreadable files). */
  notes: string[];
}

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
  'IngressClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
]);

function kObject(o: ManifestObject, kustomization: string): KObject {
  return {
    kind: o.kind,
    apiVersion: o.apiVersion,
    name: o.name,
    namespace: o.namespace,
    origName: o.name,
    labels: { ...o.labels },
    base: { ...o, kustomization, inline: false, sharedBy: 1 },
    patches: [],
    json6902: [],
    images: [],
    selectorLabels: [],
    unsupported: [],
  };
}

function targetMatches(t: KustomizeTarget, o: KObject): boolean {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  return (
    (t.kind === undefined || t.kind === o.kind) &&
    (t.group === undefined || t.group === group) &&
    (t.version === undefined || t.version === version) &&
    (t.name === undefined || namePatternMatches(t.name, o.name) || namePatternMatches(t.name, o.origName)) &&
    (t.namespace === undefined || t.namespace === o.namespace) &&
    (t.labelSelector === undefined || labelSelectorMatches(t.labelSelector, o.labels))
  );
}

function docMatches(doc: Record<string, unknown>, o: KObject): boolean {
  const meta = isRecord(doc['metadata']) ? doc['metadata'] : {};
  const ns = meta['namespace'];
  return (
    doc['kind'] === o.kind &&
    (meta['name'] === o.name || meta['name'] === o.origName) &&
    (ns === undefined || ns === o.namespace)
  );
}

/** Finds the kustomization file of a directory the way Kustomize does. */
async function kustomizationIn(files: ManifestFiles, dir: string): Promise<string | undefined> {
  for (const n of KUSTOMIZATION_NAMES) {
    const f = dir === '.' ? n : `${dir}/${n}`;
    if ((await files.isDirectory(f)) === false) return f;
  }
  return undefined;
}

/**
 * Renders what a kustomization produces, as far as locating fields needs: resources (files and
 * directories, recursively), namespace, namePrefix/nameSuffix, strategic-merge patches
 * (`patchesStrategicMerge`, `patches`), JSON 6902 patches (noted, not applied), `images:` and
 * labels that reach selectors. Remote bases are noted and skipped.
 */
export async function buildKustomization(
  files: ManifestFiles,
  kfile: string,
  stack: string[] = [],
): Promise<KBuild> {
  const notes: string[] = [];
  if (stack.includes(kfile) || stack.length > 20) return { objects: [], notes: [`${kfile} includes itself`] };
  const parsed = await files.read(kfile);
  if ('error' in parsed) return { objects: [], notes: [parsed.error] };
  const k = KustomizationFile.safeParse(parsed.docs[0] ?? {});
  if (!k.success) return { objects: [], notes: [`${kfile} is not a kustomization Sleuth can read`] };
  const dir = dirOf(kfile);
  const rel = (p: string): string | undefined => repoPath(dir === '.' ? p : `${dir}/${p}`);
  const objects: KObject[] = [];

  for (const r of [...(k.data.resources ?? []), ...(k.data.bases ?? [])]) {
    const p = isRemote(r) ? undefined : rel(r);
    if (p === undefined) {
      notes.push(`${kfile} uses ${r}, which Sleuth does not fetch`);
      continue;
    }
    const isDir = await files.isDirectory(p);
    if (isDir) {
      const sub = await kustomizationIn(files, p);
      if (!sub) notes.push(`${p} (a resource of ${kfile}) has no kustomization`);
      else {
        const b = await buildKustomization(files, sub, [...stack, kfile]);
        objects.push(...b.objects);
        notes.push(...b.notes);
      }
    } else if (isDir === false) {
      const objs = await files.objects(p);
      if ('error' in objs) notes.push(objs.error);
      else objects.push(...objs.map((o) => kObject(o, kfile)));
    } else notes.push(`${p} (a resource of ${kfile}) does not exist`);
  }

  const raw = isRecord(parsed.docs[0]) ? parsed.docs[0] : {};
  for (const key of UNMODELLED)
    if (raw[key] !== undefined) for (const o of objects) o.unsupported.push(`the ${key} of ${kfile}`);

  const patchDocs = async (entry: {
    path?: string | undefined;
    patch?: string | undefined;
  }): Promise<{ file: string; inline: boolean; docs: unknown[] } | undefined> => {
    if (entry.patch !== undefined) {
      const docs = parseDocuments(entry.patch);
      if (!Array.isArray(docs)) return undefined;
      return { file: kfile, inline: true, docs: docs.map((d): unknown => d.toJS()) };
    }
    const p = entry.path === undefined ? undefined : rel(entry.path);
    const f = p === undefined ? undefined : await files.read(p);
    if (p === undefined || f === undefined || 'error' in f) {
      notes.push(`a patch of ${kfile} could not be read`);
      return undefined;
    }
    return { file: p, inline: false, docs: f.docs };
  };
  const applyPatch = async (
    entry: { path?: string; patch?: string },
    target?: KustomizeTarget,
  ): Promise<void> => {
    const src = await patchDocs(entry);
    if (!src) return;
    src.docs.forEach((doc, documentIndex) => {
      if (Array.isArray(doc)) {
        for (const o of objects) if (target && targetMatches(target, o)) o.json6902.push(kfile);
        return;
      }
      if (!isRecord(doc)) return;
      const hit = objects.filter((o) => (target ? targetMatches(target, o) : docMatches(doc, o)));
      for (const o of hit)
        o.patches.push({
          file: src.file,
          documentIndex,
          objectPath: [],
          value: doc,
          kustomization: kfile,
          inline: src.inline,
          sharedBy: hit.length,
        });
    });
  };
  for (const p of k.data.patchesStrategicMerge ?? [])
    await applyPatch(isInlinePatch(p) ? { patch: p } : { path: p });
  for (const p of k.data.patches ?? []) await applyPatch(p, p.target);
  for (const p of k.data.patchesJson6902 ?? [])
    for (const o of objects) if (targetMatches(p.target, o)) o.json6902.push(kfile);

  const selectorLabels: Record<string, string> = { ...(k.data.commonLabels ?? {}) };
  for (const l of k.data.labels ?? []) if (l.includeSelectors) Object.assign(selectorLabels, l.pairs ?? {});
  for (const o of objects) {
    o.name = `${k.data.namePrefix ?? ''}${o.name}${k.data.nameSuffix ?? ''}`;
    if (k.data.namespace && !CLUSTER_SCOPED.has(o.kind)) o.namespace = k.data.namespace;
    if (Object.keys(selectorLabels).length > 0) o.selectorLabels.push(kfile);
    Object.assign(o.labels, k.data.commonLabels ?? {});
    (k.data.images ?? []).forEach((img, index) => o.images.push({ ...img, kustomization: kfile, index }));
  }
  if ((k.data.helmCharts ?? []).length > 0)
    notes.push(
      `${kfile} inflates Helm charts (${(k.data.helmCharts ?? []).map((h) => h.name ?? '?').join(', ')})`,
    );
  return { objects, notes };
}
