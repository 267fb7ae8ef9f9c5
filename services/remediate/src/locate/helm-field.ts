import { parse } from 'yaml';
import { isRecord, key, scalarText, valueAt, type PathSegment } from '../field-path';
import { parsePipeline, UNKNOWN, valuesPathOf, type Pipeline, type Scope } from './helm-expr';
import type { Guard, YNode } from './helm-template';
import { renderFragment, splitPieces } from './helm-text';

type Inject = Extract<YNode, { t: 'inject' }>;

/** Where a path leads in a template document's structure. */
type Reach =
  | { t: 'node'; node: YNode }
  | { t: 'inject'; node: Inject; rest: PathSegment[] }
  | { t: 'absent'; line: number }
  | { t: 'blocked'; line: number; why: string };

/**
 * How a template writes one field of its object: from a values setting (`{{ .Values.a.b }}`, or
 * inside `{{ toYaml .Values.a | nindent N }}`), an image from two settings
 * (`"{{ .Values.image.repository }}:{{ .Values.image.tag }}"`), as literal text, not at all, or
 * in a way Sleuth does not trace (`why` says how, for the template line `line`).
 */
export type FieldMapping =
  /** `mirrored`: how many trailing segments of the field a toYaml block copies from the values. */
  | { t: 'values'; path: PathSegment[]; line: number; mirrored: number }
  | { t: 'image'; repository: PathSegment[]; tag: PathSegment[]; line: number }
  | { t: 'literal'; line: number }
  | { t: 'absent'; line: number }
  | { t: 'blocked'; line: number; why: string };

/** Pipes that print a setting as it is (quoted or not). */
const AS_IS = new Set(['quote', 'squote', 'toString', 'int', 'int64', 'toYaml']);

export function clip(s: string, n = 80): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

const blocked = (line: number, why: string): Reach & FieldMapping => ({ t: 'blocked', line, why });

function guarded(gs: readonly Guard[]): Reach {
  const g = gs[gs.length - 1] ?? { line: 0, src: '' };
  return blocked(g.line, `puts it inside {{ ${clip(g.src)} }}`);
}

/** The rendered value of a template scalar's text, or UNKNOWN. */
function scalarValue(src: string, scope: Scope): unknown {
  const text = renderFragment(src, scope);
  if (text === UNKNOWN) return UNKNOWN;
  try {
    return parse(text) as unknown;
  } catch {
    return UNKNOWN;
  }
}

/** Inside a flow collection (`{limits: {memory: 1Gi}}`): literal text is read, template actions are not. */
function intoFlow(n: Extract<YNode, { t: 'scalar' }>, rest: readonly PathSegment[]): Reach {
  const src = n.src.trim();
  if (n.block || src.startsWith('{{') || !/^[[{]/.test(src))
    return blocked(n.line, `writes a single value there (${clip(src)})`);
  if (src.includes('{{'))
    return blocked(
      n.line,
      'writes a {…} or […] collection with template actions, which Sleuth does not trace',
    );
  let parsed: unknown;
  try {
    parsed = parse(n.src) as unknown;
  } catch {
    return blocked(n.line, 'writes a collection Sleuth cannot read');
  }
  const v = valueAt(parsed, rest);
  if (!v.found) return { t: 'absent', line: n.line };
  return { t: 'node', node: { t: 'scalar', line: n.line, src: JSON.stringify(v.value), block: false } };
}

function reach(root: YNode, path: readonly PathSegment[], scope: Scope): Reach {
  let cur = root;
  for (let i = 0; i < path.length; i++) {
    const s = path[i];
    if (!s) break;
    if (cur.t === 'scalar') return intoFlow(cur, path.slice(i));
    if (cur.t === 'inject')
      return cur.guards.length > 0 ? guarded(cur.guards) : { t: 'inject', node: cur, rest: path.slice(i) };
    if (s.kind === 'key') {
      if (cur.t !== 'map')
        return cur.t === 'empty'
          ? { t: 'absent', line: cur.line }
          : blocked(cur.line, 'writes something other than a map there');
      const hits = cur.entries.filter((e) => e.key === s.key);
      const other = cur.others[0];
      const hit = hits[0];
      if (!hit) {
        if (cur.others.length === 1 && other?.inject)
          return other.inject.guards.length > 0
            ? guarded(other.inject.guards)
            : { t: 'inject', node: other.inject, rest: path.slice(i) };
        if (other) return blocked(other.line, `may write ${s.key} (${other.why})`);
        return { t: 'absent', line: cur.line };
      }
      const cond = hits.find((h) => h.guards.length > 0);
      if (cond) return guarded(cond.guards);
      if (hits.length > 1) return blocked(hits[1]?.line ?? hit.line, `writes ${s.key} more than once`);
      if (other) return blocked(other.line, `may also write ${s.key} (${other.why})`);
      cur = hit.value;
      continue;
    }
    if (cur.t !== 'seq')
      return cur.t === 'empty'
        ? { t: 'absent', line: cur.line }
        : blocked(cur.line, 'writes something other than a list there');
    if (s.kind === 'index') {
      const g = cur.items.slice(0, s.index + 1).find((it) => it.guards.length > 0);
      if (g) return guarded(g.guards);
      const it = cur.items[s.index];
      if (!it) return { t: 'absent', line: cur.line };
      cur = it.value;
      continue;
    }
    const hitsAt: typeof cur.items = [];
    const unread: typeof cur.items = [];
    for (const it of cur.items) {
      const e = it.value.t === 'map' ? it.value.entries.find((x) => x.key === s.key) : undefined;
      const v = e?.value.t === 'scalar' ? scalarValue(e.value.src, scope) : UNKNOWN;
      if (v === UNKNOWN) unread.push(it);
      else if (scalarText(v) === s.value) hitsAt.push(it);
    }
    const item = hitsAt[0];
    if (hitsAt.length > 1)
      return blocked(hitsAt[1]?.line ?? 0, `has two list items with ${s.key} ${s.value}`);
    if (!item)
      return unread[0]
        ? blocked(unread[0].line, `has a list item whose ${s.key} Sleuth cannot read`)
        : { t: 'absent', line: cur.line };
    if (item.guards.length > 0) return guarded(item.guards);
    cur = item.value;
  }
  if (cur.t === 'inject')
    return cur.guards.length > 0 ? guarded(cur.guards) : { t: 'inject', node: cur, rest: [] };
  return { t: 'node', node: cur };
}

/** The values path of `toYaml .Values.a | nindent N` (or `.Values.a | toYaml | nindent N`). */
function injectValuesPath(pipe: Pipeline | undefined): string[] | undefined {
  const [a, b, c] = pipe?.cmds ?? [];
  const indent = (x: typeof a): boolean => x?.fn === 'nindent' || x?.fn === 'indent';
  if (pipe?.cmds.length === 2 && a?.fn === 'toYaml' && a.args.length === 1 && indent(b))
    return valuesPathOf(a.args[0]);
  if (
    pipe?.cmds.length === 3 &&
    a &&
    a.fn === undefined &&
    b?.fn === 'toYaml' &&
    b.args.length === 0 &&
    indent(c)
  )
    return valuesPathOf(a.args[0]);
  return undefined;
}

/** The values path a single action prints as it is, or why it is not one. */
function printedSetting(src: string, bare: boolean): string[] | string {
  const pipe = parsePipeline(src);
  const fns = pipe?.cmds.map((c) => c.fn) ?? [];
  if (fns.includes('default'))
    return `uses default ({{ ${clip(src)} }}), so the value may come from elsewhere`;
  if (fns.includes('tpl')) return `renders it as a template with tpl ({{ ${clip(src)} }})`;
  const [first, ...more] = pipe?.cmds ?? [];
  const path =
    first?.fn === undefined
      ? first?.args.length === 1 && valuesPathOf(first.args[0])
      : first.fn === 'required' &&
        first.args.length === 2 &&
        first.args[0]?.t === 'lit' &&
        valuesPathOf(first.args[1]);
  if (
    !path ||
    path.length === 0 ||
    (bare && more.length > 0) ||
    more.some((c) => !AS_IS.has(c.fn ?? '') || c.args.length > 0)
  )
    return `computes it ({{ ${clip(src)} }})`;
  return path;
}

function mapScalar(n: Extract<YNode, { t: 'scalar' }>): FieldMapping {
  if (n.block)
    return n.src.includes('{{')
      ? blocked(n.line, 'computes it in a block of text')
      : { t: 'literal', line: n.line };
  const src = n.src.trim();
  const inner = /^"(.*)"$/s.exec(src)?.[1] ?? /^'(.*)'$/s.exec(src)?.[1] ?? src;
  const pieces = splitPieces(inner);
  if (!pieces) return blocked(n.line, 'has an action Sleuth cannot read');
  const actions = pieces.flatMap((p) => (p.t === 'action' ? [p.src] : []));
  const texts = pieces.flatMap((p) => (p.t === 'text' ? [p.s] : []));
  if (actions.length === 0) return { t: 'literal', line: n.line };
  const [a, b] = actions;
  if (a !== undefined && actions.length === 1 && texts.every((t) => t === '')) {
    const p = printedSetting(a, false);
    return typeof p === 'string'
      ? blocked(n.line, p)
      : { t: 'values', path: p.map(key), line: n.line, mirrored: 0 };
  }
  if (a !== undefined && b !== undefined && actions.length === 2 && texts.join('|') === '|:|') {
    const repo = printedSetting(a, true);
    const tag = printedSetting(b, true);
    if (typeof repo !== 'string' && typeof tag !== 'string')
      return { t: 'image', repository: repo.map(key), tag: tag.map(key), line: n.line };
    return blocked(n.line, typeof tag === 'string' ? tag : typeof repo === 'string' ? repo : '');
  }
  return blocked(n.line, `computes it (${clip(src)})`);
}

/** How the template document `root` writes `path`. */
export function mapField(root: YNode, path: readonly PathSegment[], scope: Scope): FieldMapping {
  const r = reach(root, path, scope);
  if (r.t === 'absent' || r.t === 'blocked') return r;
  if (r.t === 'inject') {
    const vp = injectValuesPath(r.node.pipe);
    return vp && vp.length > 0
      ? { t: 'values', path: [...vp.map(key), ...r.rest], line: r.node.line, mirrored: r.rest.length }
      : blocked(r.node.line, `computes it ({{ ${clip(r.node.src)} }})`);
  }
  const n = r.node;
  if (n.t === 'scalar') return mapScalar(n);
  if (n.t === 'empty') return { t: 'literal', line: n.line };
  return blocked(n.line, 'writes it as a block of fields; Sleuth traces single values');
}

function renderNode(n: YNode, scope: Scope, values: unknown): unknown {
  switch (n.t) {
    case 'empty':
      return null;
    case 'scalar':
      return n.block ? UNKNOWN : scalarValue(n.src, scope);
    case 'inject': {
      const vp = n.guards.length > 0 ? undefined : injectValuesPath(n.pipe);
      return vp ? (valueAt(values, vp.map(key)).value ?? null) : UNKNOWN;
    }
    case 'seq': {
      // A list with an item Sleuth cannot render is unknown as a whole: its items' places are.
      const items = n.items.map((it) =>
        it.guards.length > 0 ? UNKNOWN : renderNode(it.value, scope, values),
      );
      return items.includes(UNKNOWN) ? UNKNOWN : items;
    }
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const o of n.others) {
        const v = o.inject ? renderNode(o.inject, scope, values) : UNKNOWN;
        if (isRecord(v)) Object.assign(out, structuredClone(v));
      }
      for (const e of n.entries) {
        if (e.guards.length > 0 || n.entries.filter((x) => x.key === e.key).length > 1) continue;
        const v = renderNode(e.value, scope, values);
        if (v !== UNKNOWN) out[e.key] = v;
      }
      return out;
    }
  }
}

/**
 * A field's value as the chart renders it from `scope` (whose `.Values` are the release's merged
 * values), as far as Sleuth can tell: parts it cannot render are left out of maps and lists, and
 * a field it cannot render at all is not found.
 */
export function renderField(
  root: YNode,
  path: readonly PathSegment[],
  scope: Scope,
): { found: boolean; value: unknown } {
  const values = isRecord(scope.root) ? scope.root['Values'] : undefined;
  const r = reach(root, path, scope);
  if (r.t === 'inject') {
    const vp = injectValuesPath(r.node.pipe);
    return vp ? valueAt(values, [...vp.map(key), ...r.rest]) : { found: false, value: undefined };
  }
  if (r.t !== 'node') return { found: false, value: undefined };
  const v = renderNode(r.node, scope, values);
  return v === UNKNOWN ? { found: false, value: undefined } : { found: true, value: v };
}
