/**
 * Field paths of a `ManifestPatch`: dot-separated keys, a list item selected by `[key=value]`
 * (`containers[name=api]`) or by position (`ports[0]`). Example:
 * `spec.template.spec.containers[name=api].resources.limits.memory`.
 */
export type PathSegment =
  | { kind: 'key'; key: string }
  | { kind: 'match'; key: string; value: string }
  | { kind: 'index'; index: number };

/** A key of a Kubernetes field: what the analyzers write (`maxReplicas`, `limits`, `httpGet`). */
const KEY = /^[A-Za-z][A-Za-z0-9]*$/;
/** `[name=api]`: the value is a DNS label or a similar name (containers, ports, env vars). */
const MATCH = /^([A-Za-z][A-Za-z0-9]*)=([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const INDEX = /^(0|[1-9][0-9]{0,3})$/;
const MAX_SEGMENTS = 24;

/**
 * Parses a field path, or returns why it is not one. Strict on purpose: a path is structured
 * data from an analyzer, so anything unusual (spaces, quotes, other brackets) is refused.
 */
export function parseFieldPath(field: string): PathSegment[] | { error: string } {
  if (field.length === 0 || field.length > 300) return { error: 'the field path is empty or too long' };
  const out: PathSegment[] = [];
  for (const part of field.split('.')) {
    const m = /^([^[\]]+)((?:\[[^[\]]+\])*)$/.exec(part);
    if (!m?.[1] || !KEY.test(m[1])) return { error: `"${clipPart(part)}" is not a field name` };
    out.push({ kind: 'key', key: m[1] });
    for (const sel of (m[2] ?? '').match(/\[[^[\]]+\]/g) ?? []) {
      const inner = sel.slice(1, -1);
      const idx = INDEX.exec(inner);
      if (idx) {
        out.push({ kind: 'index', index: Number(inner) });
        continue;
      }
      const mm = MATCH.exec(inner);
      if (!mm?.[1] || mm[2] === undefined) return { error: `"${clipPart(sel)}" is not a list selector` };
      out.push({ kind: 'match', key: mm[1], value: mm[2] });
    }
  }
  if (out.length > MAX_SEGMENTS) return { error: 'the field path is too deep' };
  return out;
}

function clipPart(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** The text form of a path (`a.b[name=x].c`); keys holding dots or slashes are shown as `["k"]`. */
export function formatFieldPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const s of path) {
    if (s.kind === 'key') {
      if (KEY.test(s.key)) out += `${out === '' ? '' : '.'}${s.key}`;
      else out += `[${JSON.stringify(s.key)}]`;
    } else if (s.kind === 'match') out += `[${s.key}=${s.value}]`;
    else out += `[${s.index}]`;
  }
  return out;
}

export const key = (k: string): PathSegment => ({ kind: 'key', key: k });

/** Where a path leads in plain data (a parsed manifest): found with its value, or not there. */
export function valueAt(root: unknown, path: readonly PathSegment[]): { found: boolean; value: unknown } {
  let cur: unknown = root;
  for (const s of path) {
    if (s.kind === 'key') {
      if (!isRecord(cur) || !Object.hasOwn(cur, s.key)) return { found: false, value: undefined };
      cur = cur[s.key];
    } else if (s.kind === 'index') {
      if (!Array.isArray(cur) || s.index >= cur.length) return { found: false, value: undefined };
      cur = cur[s.index];
    } else {
      if (!Array.isArray(cur)) return { found: false, value: undefined };
      cur = cur.find((item) => isRecord(item) && scalarText(item[s.key]) === s.value);
      if (cur === undefined) return { found: false, value: undefined };
    }
  }
  return { found: true, value: cur };
}

/** True when the path passes through a list by position (`ports[0]`). */
export function hasIndex(path: readonly PathSegment[]): boolean {
  return path.some((s) => s.kind === 'index');
}

/** True when `prefix` is the start of `path`. */
export function startsWith(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.every((p, i) => {
    const s = path[i];
    return s !== undefined && formatFieldPath([s]) === formatFieldPath([p]);
  });
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A scalar as text (`8080` and `"8080"` alike), undefined for maps, lists and null. */
export function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}
