import { decline, type Decline } from '../decline';
import type { FieldEdit } from '../edit/yaml-edit';
import { valueAt, type PathSegment } from '../field-path';
import { effectiveValue, kustomizeFieldSource, type FieldSource } from './field-source';
import { chartOf, findHelmObjects, type FoundWrapper, type HelmMatch, type ObjectRef } from './helm';
import { locatedHelm } from './helm-located';
import { isWrapper } from './helm-release';
import { localReferences, KustomizationFile } from './kustomization-file';
import { buildKustomization, type KBuild, type KObject } from './kustomize';
import { ManifestFiles, repoPath, type ManifestObject } from './manifest-files';
import { dirOf, isUnder, KUSTOMIZATION_NAMES, scanRepo, type RepoScan } from './repo-scan';

/**
 * Where the manifest that produces a live object is, and where in it a field's value is
 * defined: the file and document to edit, the object's place in the document, the field's
 * path inside it.
 */
export interface LocatedManifest extends FieldSource {
  repoDir: string;
  /** The edited file's whole text as read. */
  text: string;
  /**
   * For Kustomize, the kustomization that renders the object (the root overlay); for Helm, what
   * installs the chart ("HelmRelease shop/cart in clusters/prod/cart.yaml") or the chart's folder.
   */
  renderedBy?: string;
  /** "overlays/prod/memory-patch.yaml (a patch applied by overlays/prod/kustomization.yaml)". */
  describe: string;
  /** A field's value as the cluster gets it from the repo (patches applied). */
  valueOf(path: readonly PathSegment[]): { found: boolean; value: unknown };
  /** A field's values in every document that sets it, the manifest first (list items merge). */
  valuesOf(path: readonly PathSegment[]): unknown[];
  /**
   * What drift reasons say holds the value ("the manifest" when unset): for Helm, the values file
   * whose setting wins ("charts/cart/values.yaml says 512Mi").
   */
  valueSaidBy?: string;
  /**
   * Turns a value of the patch's field into the text written at `fieldPath`, when the two differ:
   * an image `repo:tag` whose Helm template joins `image.repository` and `image.tag` becomes the
   * tag (declined when the repository changes).
   */
  toSourceValue?(value: string | number): string | number | Decline;
  /**
   * For Helm values: renders the edited file's values through the template and says what is wrong
   * (each edit must reach the field as written, with the type it needs, and the rendered part of
   * the object must stay valid). Empty when all is well. Replaces `validateManifest`, which checks
   * Kubernetes objects, not values files.
   */
  checkEdit?(text: string, edits: readonly FieldEdit[]): string[];
}

export interface LocateOptions {
  /** The field the edit is for; without it, the object's own manifest. */
  field?: PathSegment[];
  /** Folders of the repo to search (`clusters/prod`); all of it when empty. */
  paths?: readonly string[];
}

type Candidate =
  | { kind: 'plain'; obj: ManifestObject }
  | { kind: 'kustomize'; obj: KObject; root: string }
  | { kind: 'helm'; match: HelmMatch };

export function refText(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

function matches(ref: ObjectRef, o: { kind: string; name: string; namespace: string | undefined }): boolean {
  // A manifest without a namespace lands wherever it is applied, so it matches any.
  return (
    o.kind === ref.kind &&
    o.name === ref.name &&
    (o.namespace === undefined || ref.namespace === undefined || o.namespace === ref.namespace)
  );
}

/** Files and directories the repo's kustomizations consume: they are not manifests on their own. */
async function consumed(
  files: ManifestFiles,
  scan: RepoScan,
): Promise<{ dirs: Set<string>; files: Set<string> }> {
  const out = { dirs: new Set<string>(), files: new Set<string>() };
  for (const [dir, kfile] of scan.kustomizations) {
    const f = await files.read(kfile);
    const k = 'error' in f ? undefined : KustomizationFile.safeParse(f.docs[0] ?? {});
    if (!k?.success) continue;
    const refs = localReferences(k.data);
    for (const r of [...refs.resources, ...refs.patches]) {
      const p = repoPath(dir === '.' ? r : `${dir}/${r}`);
      if (p === undefined) continue;
      if (scan.kustomizations.has(p)) out.dirs.add(p);
      else out.files.add(p);
    }
  }
  return out;
}

/** A HelmRelease or Application as a kustomization renders it: changed on the way, or as written. */
function wrapperOf(o: KObject, root: string, inPaths: boolean): FoundWrapper {
  const changed = o.patches.length > 0 || o.json6902.length > 0 || o.unsupported.length > 0;
  return {
    file: o.base.file,
    documentIndex: o.base.documentIndex,
    objectPath: o.base.objectPath,
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.name,
    namespace: o.namespace,
    value: o.base.value,
    changedBy: changed ? root : undefined,
    inPaths,
  };
}

/**
 * Finds the one manifest in a working tree that produces `ref` (kind, name, namespace), and
 * where `opts.field` is defined for it. Plain YAML (multi-document files, `kind: List`),
 * Kustomize (see buildKustomization) and Helm charts (see findHelmObjects: the edit goes to the
 * values setting the template renders into the field); an object found in more than one place or
 * nowhere, or a field no values setting gives, is declined with a reason a person can act on.
 */
export async function locateManifest(
  repoDir: string,
  ref: ObjectRef,
  opts: LocateOptions = {},
): Promise<LocatedManifest | Decline> {
  const scan = await scanRepo(repoDir);
  const files = new ManifestFiles(repoDir);
  const paths = (opts.paths ?? []).map((p) => repoPath(p) ?? p);
  const inPaths = (rel: string): boolean => paths.length === 0 || paths.some((p) => isUnder(rel, p));
  const used = await consumed(files, scan);
  const notes: string[] = [];
  const candidates: Candidate[] = [];
  const wrappers: FoundWrapper[] = [];
  // Charts' HelmReleases and Applications count wherever they are: they say a chart is installed.
  const helm = scan.charts.length > 0;

  for (const f of scan.yamlFiles) {
    const base = f.split('/').pop() ?? f;
    if (KUSTOMIZATION_NAMES.some((n) => n === base) || used.files.has(f) || scan.kustomizations.has(dirOf(f)))
      continue;
    if (chartOf(scan, f) !== undefined || (!inPaths(f) && !helm)) continue;
    const objs = await files.objects(f);
    if ('error' in objs) {
      if (inPaths(f)) notes.push(objs.error);
      continue;
    }
    for (const o of objs) {
      if (inPaths(f) && matches(ref, o)) candidates.push({ kind: 'plain', obj: o });
      if (helm && isWrapper(o)) wrappers.push({ ...o, inPaths: inPaths(f) });
    }
  }
  for (const [dir, kfile] of scan.kustomizations) {
    if (used.dirs.has(dir) || chartOf(scan, dir) !== undefined || (!inPaths(dir) && !helm)) continue;
    const built: KBuild = await buildKustomization(files, kfile);
    if (inPaths(dir)) notes.push(...built.notes);
    for (const o of built.objects) {
      if (inPaths(dir) && matches(ref, o)) candidates.push({ kind: 'kustomize', obj: o, root: kfile });
      if (helm && isWrapper(o)) wrappers.push(wrapperOf(o, kfile, inPaths(dir)));
    }
  }
  const found = await findHelmObjects(repoDir, files, scan, ref, wrappers, inPaths);
  for (const match of found.matches) candidates.push({ kind: 'helm', match });

  const what = refText(ref);
  if (candidates.length === 0) {
    if (found.unread.length > 0)
      return decline(
        'helm',
        `${what} may be rendered by a Helm chart, but Sleuth cannot evaluate the name or the conditions of the ${ref.kind} in ${found.unread.join(', ')}; change it there by hand`,
      );
    notes.push(...found.notes);
    if (scan.tooLarge.length > 0) notes.push(`not read (over 1 MiB): ${scan.tooLarge.join(', ')}`);
    if (scan.truncated)
      notes.push('the repository has too many files; set remediation.paths to the manifests');
    const under = paths.length > 0 ? ` under ${paths.join(', ')}` : '';
    const extra = notes.length > 0 ? ` (${[...new Set(notes)].slice(0, 5).join('; ')})` : '';
    return decline('not-found', `no manifest in the repo${under} defines ${what}${extra}`);
  }
  if (candidates.length > 1) {
    const where = candidates.map((c) =>
      c.kind === 'plain'
        ? c.obj.file
        : c.kind === 'kustomize'
          ? `${c.obj.base.file} via ${c.root}`
          : `${c.match.doc.file} via ${c.match.release.by ?? `a release named ${c.match.releaseName}`}`,
    );
    return decline(
      'ambiguous',
      `${ref.kind} ${ref.name} is defined in ${candidates.length} files: ${where.join(', ')}; say which with remediation.paths`,
    );
  }
  const c = candidates[0];
  if (!c) return decline('not-found', `no manifest in the repo defines ${what}`);
  if (c.kind === 'helm')
    return locatedHelm(repoDir, files, c.match, opts.field ?? [], { what, namespace: ref.namespace });
  return c.kind === 'plain'
    ? locatedPlain(repoDir, files, c.obj, opts.field)
    : locatedKustomize(repoDir, files, c, opts.field, what);
}

async function withText(files: ManifestFiles, src: FieldSource): Promise<{ text: string } | Decline> {
  const f = await files.read(src.file);
  return 'error' in f ? decline('unsupported', f.error) : { text: f.text };
}

async function locatedPlain(
  repoDir: string,
  files: ManifestFiles,
  o: ManifestObject,
  field: PathSegment[] = [],
): Promise<LocatedManifest | Decline> {
  const src: FieldSource = {
    file: o.file,
    documentIndex: o.documentIndex,
    objectPath: o.objectPath,
    fieldPath: field,
    via: 'plain',
  };
  const t = await withText(files, src);
  if ('declined' in t) return t;
  const docNote = o.objectPath.length > 0 ? `, item ${String(o.objectPath[1])} of its List` : '';
  return {
    ...src,
    repoDir,
    text: t.text,
    describe: `${o.file} (document ${o.documentIndex + 1}${docNote})`,
    valueOf: (p) => valueAt(o.value, p),
    valuesOf: (p) => {
      const v = valueAt(o.value, p);
      return v.found ? [v.value] : [];
    },
  };
}

async function locatedKustomize(
  repoDir: string,
  files: ManifestFiles,
  c: { obj: KObject; root: string },
  field: PathSegment[] = [],
  what: string,
): Promise<LocatedManifest | Decline> {
  const src = kustomizeFieldSource(c.obj, field, what);
  if ('declined' in src) return src;
  const t = await withText(files, src);
  if ('declined' in t) return t;
  const role =
    src.via === 'kustomize-patch'
      ? `a patch applied by ${src.kustomization ?? c.root}`
      : src.via === 'kustomize-images'
        ? 'its images: entry'
        : `rendered by ${c.root}`;
  const o = c.obj;
  return {
    ...src,
    repoDir,
    text: t.text,
    renderedBy: c.root,
    describe: `${src.file} (${role})`,
    valueOf: (p) => effectiveValue(o, p),
    valuesOf: (p) =>
      [o.base, ...o.patches].flatMap((s) => {
        const v = valueAt(s.value, p);
        return v.found ? [v.value] : [];
      }),
  };
}
