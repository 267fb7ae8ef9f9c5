import type { ManifestPatch, RootCause } from '@sleuth/core';
import { parseDocuments } from '../../edit/yaml-edit';
import { parseFieldPath, valueAt, type PathSegment } from '../../field-path';
import { objectsOf } from '../../locate/manifest-files';
import type { LocatedManifest } from '../../locate/locate';
import type { FixerInput } from '../fixer';

/** A fixer's input for a manifest held in memory as the plain-YAML file `file`. */
export function fixerInput(
  text: string,
  patch: ManifestPatch,
  failureMode: string,
  opts: { file?: string; origin?: 'rules' | 'llm' } = {},
): FixerInput {
  const field = parseFieldPath(patch.field);
  if ('error' in field) throw new Error(field.error);
  const docs = parseDocuments(text);
  if (!Array.isArray(docs)) throw new Error(docs.error);
  const file = opts.file ?? 'manifests.yaml';
  const obj = objectsOf(
    file,
    docs.map((d): unknown => d.toJS()),
  ).find((o) => o.kind === patch.kind && o.name === patch.name);
  if (!obj) throw new Error(`no ${patch.kind} ${patch.name} in the text`);
  const manifest: LocatedManifest = {
    repoDir: '/repo',
    file,
    documentIndex: obj.documentIndex,
    objectPath: obj.objectPath,
    fieldPath: field,
    via: 'plain',
    text,
    describe: file,
    valueOf: (p: readonly PathSegment[]) => valueAt(obj.value, p),
    valuesOf: (p: readonly PathSegment[]) => {
      const v = valueAt(obj.value, p);
      return v.found ? [v.value] : [];
    },
  };
  return { rootCause: rootCause(failureMode, patch, opts.origin), patch, field, manifest, repo: '/repo' };
}

/** A ranked root cause carrying `patch`, as the rule engine builds them. */
export function rootCause(
  failureMode: string,
  patch: ManifestPatch | undefined,
  origin: 'rules' | 'llm' = 'rules',
): RootCause {
  return {
    id: `rc_${failureMode}`,
    failureMode,
    resource: {
      cluster: 'prod',
      namespace: patch?.namespace ?? 'shop',
      kind: 'Pod',
      name: `${patch?.name ?? 'x'}-7d9f-abcde`,
    },
    hypothesis: `${failureMode} on ${patch?.name ?? 'x'}`,
    confidence: 0.9,
    rank: 1,
    evidence: [],
    origin,
    remediation: { steps: ['fix it'], commands: [], ...(patch ? { patch } : {}) },
  };
}

/** The `-`/`+` lines of a unified diff, headers left out. */
export function changedLines(diff: string): string[] {
  return diff.split('\n').filter((l) => /^[-+]/.test(l) && !/^(---|\+\+\+) [ab]\//.test(l));
}
