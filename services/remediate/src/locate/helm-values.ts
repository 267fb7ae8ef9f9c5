import { isDeepStrictEqual } from 'node:util';
import type { ObjectPath } from '../edit/yaml-edit';
import { formatFieldPath, isRecord, valueAt, type PathSegment } from '../field-path';

/** One place a release's values come from. A release lists them lowest priority first. */
export interface ValuesSource {
  file: string;
  documentIndex: number;
  objectPath: ObjectPath;
  /** Where the values map sits in that object: `[]` in a values file, `spec.values` in a HelmRelease. */
  at: PathSegment[];
  values: Record<string, unknown>;
  /** What the source is, for reasons and `definedIn`: "the chart's default values". */
  role: string;
  /** Why an edit cannot go here (YAML written inside a string, `--set` style parameters). */
  readOnly?: string;
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isRecord(v) && isRecord(b) ? merge(b, v) : v;
  }
  return out;
}

function dropNulls(v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null) continue;
    out[k] = isRecord(x) ? dropNulls(x) : x;
  }
  return out;
}

/**
 * The values a release's templates see: each source merged over the ones before it (maps merge
 * key by key, anything else is replaced) and keys set to null removed, as Helm coalesces them.
 */
export function mergeValues(sources: readonly ValuesSource[]): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const s of sources) out = merge(out, s.values);
  return dropNulls(out);
}

export type Winner =
  /** The source whose setting the cluster gets (undefined when no source sets the path). */
  { source: ValuesSource | undefined; value: unknown } | { unclear: string };

/**
 * The source that sets `path` for the release: the last one (highest priority) that has it. When
 * a later source replaces a list or map around it, so that the setting does not reach the
 * templates, that is said rather than guessed at.
 */
export function winningSource(sources: readonly ValuesSource[], path: readonly PathSegment[]): Winner {
  const merged = valueAt(mergeValues(sources), path);
  for (let i = sources.length - 1; i >= 0; i--) {
    const s = sources[i];
    if (!s) continue;
    const v = valueAt(s.values, path);
    if (!v.found) continue;
    if (v.value === null && !merged.found) return { source: s, value: undefined };
    if (merged.found && isDeepStrictEqual(merged.value, v.value)) return { source: s, value: v.value };
    if (isRecord(v.value) && isRecord(merged.value))
      return { unclear: `${formatFieldPath(path)} is merged from several values sources` };
    return {
      unclear: `${formatFieldPath(path)} is set in ${s.role}, but a later values source replaces what is around it`,
    };
  }
  return { source: undefined, value: undefined };
}

/**
 * Where a setting no source has yet is added: where the nearest list around it is set (Helm
 * replaces lists whole, so an item added elsewhere would drop the others), else in the last
 * source Sleuth may edit (maps merge, so the release's own values are the place).
 */
export function whereToAdd(sources: readonly ValuesSource[], path: readonly PathSegment[]): Winner {
  const merged = mergeValues(sources);
  for (let k = path.length - 1; k > 0; k--) {
    const around = valueAt(merged, path.slice(0, k));
    if (around.found && Array.isArray(around.value)) return winningSource(sources, path.slice(0, k));
  }
  return { source: [...sources].reverse().find((s) => s.readOnly === undefined), value: undefined };
}
