import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseQuantity, sameQuantity } from '@sleuth/core';
import { decline, type Decline } from '../decline';
import { validateManifest } from '../edit/validate';
import { parseDocuments, type FieldEdit, type ObjectPath } from '../edit/yaml-edit';
import { formatFieldPath, isRecord, startsWith, valueAt, type PathSegment } from '../field-path';
import { imageName } from './field-source';
import { chartScope } from './helm-chart';
import { printed, UNKNOWN, type Scope } from './helm-expr';
import { clip, mapField, renderField, type FieldMapping } from './helm-field';
import { docRenders, type HelmMatch } from './helm';
import { mergeValues, whereToAdd, winningSource, type ValuesSource } from './helm-values';
import type { LocatedManifest } from './locate';
import type { ManifestFiles } from './manifest-files';

function shown(v: unknown): string {
  return v === undefined ? 'nothing' : clip(typeof v === 'string' ? v : JSON.stringify(v), 60);
}

function objectAt(doc: unknown, path: ObjectPath): unknown {
  let cur = doc;
  for (const k of path)
    cur = isRecord(cur) || Array.isArray(cur) ? (Reflect.get(cur, k) as unknown) : undefined;
  return cur;
}

/** How far a rendered field is from what an edit wrote: its type, then its value. */
function renderedIssue(
  got: { found: boolean; value: unknown },
  e: Extract<FieldEdit, { op: 'set' }>,
): string | undefined {
  const v = got.value;
  if (!got.found) return 'would not be rendered';
  if (e.quantity) {
    if (parseQuantity(v) === undefined) return `would render ${shown(v)}, which is not a quantity`;
    return sameQuantity(v, String(e.value)) ? undefined : `would render ${shown(v)}, not ${e.value}`;
  }
  if (typeof e.value === 'number') {
    if (typeof v !== 'number' || !Number.isInteger(v))
      return `would render ${shown(v)}, which is not an integer`;
    return v === e.value ? undefined : `would render ${v}, not ${e.value}`;
  }
  if (typeof v !== 'string') return `would render ${shown(v)}, which is not text`;
  return v === e.value ? undefined : `would render ${shown(v)}, not ${e.value}`;
}

/** A partial object holding `value` at `anchor` (list items by their selector), for validation. */
function skeleton(kind: string, anchor: readonly PathSegment[], value: unknown): Record<string, unknown> {
  if (anchor.length === 0) return isRecord(value) ? value : { kind };
  const root: Record<string, unknown> = { kind };
  let cur = root;
  for (let i = 0; i < anchor.length; i++) {
    const s = anchor[i];
    if (s?.kind !== 'key') continue;
    const next = anchor[i + 1];
    if (next === undefined) cur[s.key] = value;
    else if (next.kind === 'key') cur = cur[s.key] = {};
    else {
      const item: Record<string, unknown> = next.kind === 'match' ? { [next.key]: next.value } : {};
      cur[s.key] = [item];
      cur = item;
      i++;
    }
  }
  return root;
}

interface HelmTarget {
  m: HelmMatch;
  field: PathSegment[];
  what: string;
  namespace: string | undefined;
  source: ValuesSource;
  fieldPath: PathSegment[];
  /** Trailing segments the field and the setting share (inside a toYaml block). */
  mirrored: number;
}

/** The edited values file, rendered: does every edit reach the field as written, and stay valid? */
function checker(t: HelmTarget): (text: string, edits: readonly FieldEdit[]) => string[] {
  const { m, field, what, source } = t;
  const anchor = field.slice(0, Math.max(0, field.length - 2));
  while (anchor.length > 0 && anchor[anchor.length - 1]?.kind !== 'key') anchor.pop();
  const objectIssues = (scope: Scope): string[] => {
    const r = renderField(m.doc.root, anchor, scope);
    if (!r.found) return [];
    const v = validateManifest(skeleton(textKind(m, scope), anchor, r.value), { partial: true });
    return v.ok ? [] : v.issues;
  };
  const before = objectIssues(m.scope);
  // Inside a toYaml block the values mirror the object, so edits beside the field map over too.
  const setting = t.fieldPath.slice(0, t.fieldPath.length - t.mirrored);
  const object = field.slice(0, field.length - t.mirrored);
  return (text, edits) => {
    const docs = parseDocuments(text);
    if (!Array.isArray(docs)) return [`the edited file does not parse as YAML (${docs.error})`];
    const values = valueAt(objectAt(docs[source.documentIndex]?.toJS(), source.objectPath), source.at).value;
    const sources = m.release.sources.map((s) =>
      s === source ? { ...s, values: isRecord(values) ? values : {} } : s,
    );
    const scope = chartScope(m.chart, { name: m.releaseName, namespace: t.namespace }, mergeValues(sources));
    const issues: string[] = [];
    if (docRenders(m.doc, scope) !== true) issues.push(`${m.doc.file} would no longer render ${what}`);
    for (const e of edits) {
      if (!startsWith(e.path, setting)) {
        issues.push(`${formatFieldPath(e.path)} is not under the traced setting ${formatFieldPath(setting)}`);
        continue;
      }
      const p = [...object, ...e.path.slice(setting.length)];
      const got = renderField(m.doc.root, p, scope);
      let issue: string | undefined;
      if (e.op === 'delete') issue = got.found ? 'would still be rendered' : undefined;
      else if (e.op === 'append')
        issue =
          Array.isArray(got.value) && got.value.some((x) => isDeepStrictEqual(x, e.item))
            ? undefined
            : 'would not render the added item';
      else issue = renderedIssue(got, e);
      if (issue) issues.push(`${formatFieldPath(p)} ${issue}`);
    }
    issues.push(...objectIssues(scope).filter((i) => !before.includes(i)));
    return issues;
  };
}

function textKind(m: HelmMatch, scope: Scope): string {
  const v = renderField(m.doc.root, [{ kind: 'key', key: 'kind' }], scope).value;
  return typeof v === 'string' ? v : '';
}

/** `repo:tag` → the tag, when the repository is the one the values already name. */
function tagWriter(t: HelmTarget, image: Extract<FieldMapping, { t: 'image' }>) {
  const { m } = t;
  const repoSetting = formatFieldPath(image.repository);
  const tagSetting = formatFieldPath(image.tag);
  return (v: string | number): string | number | Decline => {
    const text = String(v);
    const name = imageName(text);
    if (text.includes('@') || name === text)
      return decline(
        'unsupported',
        `${m.doc.file} line ${image.line} builds the image from ${repoSetting} and ${tagSetting}; Sleuth sets only a tag there, not a digest, so change it by hand`,
      );
    const repo = printed(valueAt(m.values, image.repository).value);
    if (repo === UNKNOWN || name !== repo)
      return decline(
        'needs-person',
        `the patch changes the image repository, which ${m.doc.file} line ${image.line} takes from ${repoSetting}; Sleuth changes only ${tagSetting} in ${t.source.file}, so a person should decide`,
      );
    return text.slice(name.length + 1);
  };
}

/**
 * Where a field of a Helm-rendered object is set: the values setting the template renders into
 * it, in the values source that wins for the release. Declines, naming the template line, when
 * the template does not take the field straight from one setting.
 */
export async function locatedHelm(
  repoDir: string,
  files: ManifestFiles,
  m: HelmMatch,
  field: PathSegment[],
  ref: { what: string; namespace: string | undefined },
): Promise<LocatedManifest | Decline> {
  const { chart, release, doc, scope } = m;
  const what = ref.what;
  if (release.blocked) return release.blocked;
  const how = release.by
    ? `rendered for ${release.by}`
    : `no HelmRelease, Application or helmfile in the repo names the release, so ${what} was matched by its kind and the name ${doc.file} gives it`;
  const valueOf = (p: readonly PathSegment[]) => renderField(doc.root, p, scope);
  const valuesOf = (p: readonly PathSegment[]) => {
    const v = valueOf(p);
    return v.found ? [v.value] : [];
  };
  const renderedBy = release.by ?? chart.dir;
  if (field.length === 0) {
    const text = await readFile(join(repoDir, doc.file), 'utf8');
    const describe = `${doc.file} (document ${doc.index + 1}, a template of the Helm chart at ${chart.dir}; ${how})`;
    const src = {
      file: doc.file,
      documentIndex: doc.index,
      objectPath: [],
      fieldPath: [],
      via: 'helm-template' as const,
    };
    return { ...src, repoDir, text, renderedBy, describe, valueOf, valuesOf };
  }
  const where = formatFieldPath(field);
  const intro = `${what} is rendered by the Helm chart at ${chart.dir}`;
  const mapping = mapField(doc.root, field, scope);
  const lineText = (n: number): string => clip(doc.lines.get(n) ?? '');
  if (mapping.t === 'absent')
    return decline(
      'helm',
      `${intro}, whose ${doc.file} does not write ${where}; no values setting changes it, so change the chart by hand`,
    );
  if (mapping.t === 'literal')
    return decline(
      'helm',
      `${intro}, whose ${doc.file} line ${mapping.line} writes ${where} as fixed text (${lineText(mapping.line)}), not from a values setting; change the chart by hand`,
    );
  if (mapping.t === 'blocked')
    return decline(
      'helm',
      `${intro}, but Sleuth cannot trace ${where} to a values setting: ${doc.file} line ${mapping.line} ${mapping.why}; change it by hand`,
    );
  const setting = mapping.t === 'values' ? mapping.path : mapping.tag;
  const name = formatFieldPath(setting);
  const won = winningSource(release.sources, setting);
  if ('unclear' in won)
    return decline(
      'helm',
      `${intro}, but Sleuth cannot tell which values file sets ${where}: ${won.unclear}; change it by hand`,
    );
  const added = won.source ? won : whereToAdd(release.sources, setting);
  if ('unclear' in added)
    return decline(
      'helm',
      `${intro}, but Sleuth cannot tell where to add ${name}: ${added.unclear}; change it by hand`,
    );
  const source = added.source;
  if (!source)
    return decline(
      'helm',
      `${intro}; no values file sets ${name}, and there is none to add it to; change it by hand`,
    );
  if (source.readOnly !== undefined)
    return decline(
      'unsupported',
      `${name}, which ${doc.file} renders into ${where} of ${what}, is not in a file Sleuth edits: ${source.readOnly}; change it by hand`,
    );
  const f = await files.read(source.file);
  if ('error' in f) return decline('unsupported', f.error);
  const fieldPath = [...source.at, ...setting];
  const alsoRead = m.siblings.flatMap((r) => {
    const w = winningSource(r.sources, setting);
    return 'source' in w && w.source?.file === source.file && r.by ? [r.by] : [];
  });
  const shared = alsoRead.length > 0 ? `; ${name} there is also what ${alsoRead.join(', ')} gets` : '';
  const t: HelmTarget = {
    m,
    field,
    what,
    namespace: release.namespace ?? ref.namespace,
    source,
    fieldPath,
    mirrored: mapping.t === 'values' ? mapping.mirrored : 0,
  };
  return {
    file: source.file,
    documentIndex: source.documentIndex,
    objectPath: source.objectPath,
    fieldPath,
    via: 'helm-values',
    repoDir,
    text: f.text,
    renderedBy,
    describe: `${source.file} (${source.role}; ${doc.file} line ${mapping.line} renders ${name} into ${what}${shared}${release.by ? '' : `; ${how}`})`,
    valueSaidBy: won.source ? source.file : `the Helm values of ${release.by ?? `the chart at ${chart.dir}`}`,
    valueOf,
    valuesOf,
    checkEdit: checker(t),
    ...(mapping.t === 'image' ? { toSourceValue: tagWriter(t, mapping) } : {}),
  };
}
