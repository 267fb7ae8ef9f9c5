import { z } from 'zod';

/** Which objects a Kustomize patch or replacement applies to. `name` is a regular expression. */
export const KustomizeTarget = z.looseObject({
  group: z.string().optional(),
  version: z.string().optional(),
  kind: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  labelSelector: z.string().optional(),
  annotationSelector: z.string().optional(),
});
export type KustomizeTarget = z.infer<typeof KustomizeTarget>;

export const KustomizeImage = z.looseObject({
  name: z.string().min(1),
  newName: z.string().optional(),
  newTag: z.union([z.string(), z.number()]).optional(),
  digest: z.string().optional(),
});
export type KustomizeImage = z.infer<typeof KustomizeImage>;

/**
 * The parts of a kustomization.yaml the locator models. Everything else passes through; the
 * fields that can change an object in ways it does not model are listed in UNMODELLED.
 */
export const KustomizationFile = z.looseObject({
  resources: z.array(z.string()).optional(),
  bases: z.array(z.string()).optional(),
  components: z.array(z.string()).optional(),
  namespace: z.string().optional(),
  namePrefix: z.string().optional(),
  nameSuffix: z.string().optional(),
  commonLabels: z.record(z.string(), z.string()).optional(),
  labels: z
    .array(
      z.looseObject({
        pairs: z.record(z.string(), z.string()).optional(),
        includeSelectors: z.boolean().optional(),
      }),
    )
    .optional(),
  patchesStrategicMerge: z.array(z.string()).optional(),
  patches: z
    .array(
      z.looseObject({
        path: z.string().optional(),
        patch: z.string().optional(),
        target: KustomizeTarget.optional(),
      }),
    )
    .optional(),
  patchesJson6902: z
    .array(
      z.looseObject({ path: z.string().optional(), patch: z.string().optional(), target: KustomizeTarget }),
    )
    .optional(),
  images: z.array(KustomizeImage).optional(),
  helmCharts: z.array(z.looseObject({ name: z.string().optional() })).optional(),
});
export type KustomizationFile = z.infer<typeof KustomizationFile>;

/** Kustomization fields that may change any field of the objects under it, which Sleuth cannot follow yet. */
export const UNMODELLED = ['components', 'replacements', 'vars', 'transformers', 'configurations'] as const;

const REMOTE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/|gitlab\.com\/|bitbucket\.org\/)|\?ref=/i;

/** True for a resource Kustomize would fetch over the network (a git URL, `?ref=`, http). */
export function isRemote(entry: string): boolean {
  return REMOTE.test(entry);
}

/** An entry of `patchesStrategicMerge` written inline rather than as a file name. */
export function isInlinePatch(entry: string): boolean {
  return entry.includes('\n') || /^\s*(apiVersion|kind)\s*:/.test(entry);
}

/** Local files and directories a kustomization names, relative to its directory. */
export function localReferences(k: KustomizationFile): { resources: string[]; patches: string[] } {
  const resources = [...(k.resources ?? []), ...(k.bases ?? []), ...(k.components ?? [])].filter(
    (r) => !isRemote(r),
  );
  const patches = [
    ...(k.patchesStrategicMerge ?? []).filter((p) => !isInlinePatch(p)),
    ...(k.patches ?? []).flatMap((p) => (p.path ? [p.path] : [])),
    ...(k.patchesJson6902 ?? []).flatMap((p) => (p.path ? [p.path] : [])),
  ];
  return { resources, patches };
}

/** Whether a `labelSelector` of equality terms (`a=b,c!=d,e,!f`) holds; set terms count as a match. */
export function labelSelectorMatches(selector: string, labels: Record<string, string>): boolean {
  for (const raw of selector.split(',')) {
    const term = raw.trim();
    if (term === '' || /\s(in|notin)\s*\(/.test(term)) continue;
    const ne = /^([^!=]+)!=(.*)$/.exec(term);
    if (ne?.[1] !== undefined) {
      if (labels[ne[1].trim()] === (ne[2] ?? '').trim()) return false;
      continue;
    }
    const eq = /^([^!=]+)==?(.*)$/.exec(term);
    if (eq?.[1] !== undefined) {
      if (labels[eq[1].trim()] !== (eq[2] ?? '').trim()) return false;
      continue;
    }
    if (term.startsWith('!')) {
      if (term.slice(1).trim() in labels) return false;
    } else if (!(term in labels)) return false;
  }
  return true;
}

/** Kustomize reads target names as anchored regular expressions. */
export function namePatternMatches(pattern: string, name: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(name);
  } catch {
    return pattern === name;
  }
}
