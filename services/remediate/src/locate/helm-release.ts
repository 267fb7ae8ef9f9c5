import { decline, type Decline } from '../decline';
import type { ObjectPath } from '../edit/yaml-edit';
import { isRecord, key } from '../field-path';
import type { ValuesSource } from './helm-values';
import type { ManifestFiles } from './manifest-files';

/** A Flux HelmRelease or an Argo CD Application as the repository writes it. */
export interface WrapperObject {
  file: string;
  documentIndex: number;
  objectPath: ObjectPath;
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | undefined;
  value: Record<string, unknown>;
  /** The kustomization that changes it on the way (patches, components...), if any. */
  changedBy?: string | undefined;
}

/** One installation of a chart: its release name and namespace, and its values sources. */
export interface HelmRelease {
  /** The chart's directory. */
  chart: string;
  /** Undefined when nothing in the repository names the release. */
  name: string | undefined;
  namespace: string | undefined;
  /** What installs it: "HelmRelease shop/cart in clusters/prod/cart.yaml"; undefined when nothing does. */
  by: string | undefined;
  /** Lowest priority first: the chart's defaults (or Flux valuesFiles), value files, inline values. */
  sources: ValuesSource[];
  /** Why a field of this release cannot be traced to a values file Sleuth may edit. */
  blocked?: Decline;
}

export function isWrapper(o: { apiVersion: string; kind: string }): boolean {
  return (
    (o.kind === 'HelmRelease' && o.apiVersion.startsWith('helm.toolkit.fluxcd.io/')) ||
    (o.kind === 'Application' && o.apiVersion.startsWith('argoproj.io/'))
  );
}

export const rec = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
export const strs = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;

/** A values file as a source; `missing` when it is not in the repository. */
async function valuesFile(
  files: ManifestFiles,
  path: string,
  role: string,
): Promise<ValuesSource | 'missing' | Decline> {
  if ((await files.isDirectory(path)) !== false) return 'missing';
  const f = await files.read(path);
  if ('error' in f) return decline('unsupported', f.error);
  const doc = f.docs[0] ?? {};
  if (!isRecord(doc) && doc !== null) return decline('unsupported', `${path} is not a map of Helm values`);
  return { file: path, documentIndex: 0, objectPath: [], at: [], values: isRecord(doc) ? doc : {}, role };
}

/** The chart's own values.yaml, when it has one. */
export async function chartDefaults(files: ManifestFiles, chart: string): Promise<ValuesSource[]> {
  const path = chart === '.' ? 'values.yaml' : `${chart}/values.yaml`;
  const s = await valuesFile(files, path, `the default values of the chart at ${chart}`);
  return typeof s === 'object' && !('declined' in s) ? [s] : [];
}

/** "HelmRelease shop/cart in clusters/prod/cart.yaml". */
export function refOf(w: WrapperObject): string {
  return `${w.kind} ${w.namespace ? `${w.namespace}/` : ''}${w.name} in ${w.file}`;
}

/** Adds the values files named by a wrapper, or says why the release cannot be used. */
export async function addFiles(
  files: ManifestFiles,
  r: HelmRelease,
  paths: { path: string | undefined; as: string }[],
  ignoreMissing: boolean,
): Promise<void> {
  for (const [i, p] of paths.entries()) {
    const s =
      p.path === undefined
        ? 'missing'
        : await valuesFile(files, p.path, `values file ${i + 1} of ${r.by ?? ''}`);
    if (s === 'missing') {
      if (ignoreMissing) continue;
      r.blocked ??= decline(
        'unsupported',
        `${r.by ?? ''} names the values file ${p.as}, which is not in the repository; change the value by hand`,
      );
    } else if ('declined' in s) r.blocked ??= s;
    else r.sources.push(s);
  }
}

export function inline(
  w: WrapperObject,
  at: string[],
  values: Record<string, unknown>,
  role: string,
): ValuesSource {
  return {
    file: w.file,
    documentIndex: w.documentIndex,
    objectPath: w.objectPath,
    at: at.map(key),
    values,
    role,
  };
}
