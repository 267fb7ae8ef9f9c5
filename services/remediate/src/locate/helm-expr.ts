import { stringify } from 'yaml';
import { isRecord } from '../field-path';

/**
 * Go-template pipelines as Helm charts write them in names, conditions and single values
 * (`include "cart.fullname" .`, `.Values.a | default "x" | quote`, `printf "%s-%s" .Release.Name
 * .Chart.Name | trunc 63`). Only a closed set of functions is evaluated; anything else (`tpl`,
 * `lookup`, `with`, `range`...) is UNKNOWN, which every caller treats as "cannot tell". This is
 * what it takes to know an object's name, not a renderer of manifests.
 */
export const UNKNOWN = Symbol('unknown');

export type Operand =
  | { t: 'lit'; v: unknown }
  /** `.A.B` (base `.`), `$.A` (base `$`), `$x.A` (base `$x`). */
  | { t: 'field'; base: string; path: string[] }
  | { t: 'sub'; pipe: Pipeline };

/** One command of a pipeline: a function and its arguments, or a single operand. */
export interface Command {
  fn?: string;
  args: Operand[];
}

export interface Pipeline {
  /** `$x := ...` or `$x = ...`. */
  assign?: string;
  cmds: Command[];
}

/** What a pipeline is evaluated against: the dot, the root (`$`), variables and named templates. */
export interface Scope {
  dot: unknown;
  root: unknown;
  vars: Map<string, unknown>;
  /** Renders a named template (`include "x" ctx`), or UNKNOWN. */
  include(name: string, ctx: unknown): unknown;
}

type Tok =
  | { t: 'lit'; v: unknown }
  | { t: 'field'; base: string; path: string[] }
  | { t: 'ident'; v: string }
  | { t: 'op'; v: string };

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;
const FIELD = /^(\$[A-Za-z0-9_]*|)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)(\.?)/;

function tokenize(src: string): Tok[] | undefined {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? '';
    const rest = src.slice(i);
    if (/\s/.test(c)) i++;
    else if (c === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(rest);
      if (!m) return undefined;
      out.push({ t: 'lit', v: JSON.parse(m[0].replace(/\\'/g, "'")) as string });
      i += m[0].length;
    } else if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end === -1) return undefined;
      out.push({ t: 'lit', v: src.slice(i + 1, end) });
      i = end + 1;
    } else if (/[-0-9]/.test(c) && /^-?[0-9]/.test(rest)) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(rest);
      out.push({ t: 'lit', v: Number(m?.[0]) });
      i += m?.[0].length ?? 1;
    } else if (rest.startsWith(':=')) {
      out.push({ t: 'op', v: ':=' });
      i += 2;
    } else if ('()|=,'.includes(c)) {
      out.push({ t: 'op', v: c });
      i++;
    } else if (c === '.' || c === '$') {
      const m = FIELD.exec(rest);
      if (!m || m[0] === '') return undefined;
      const path = (m[2] ?? '').split('.').filter((s) => s !== '');
      out.push({ t: 'field', base: m[1] === '' ? '.' : (m[1] ?? '.'), path });
      i += m[0].length;
    } else {
      const m = IDENT.exec(rest);
      if (!m) return undefined;
      out.push({ t: 'ident', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

/** Parses one action's text (without `{{ }}`), or undefined when it is not a pipeline. */
export function parsePipeline(src: string): Pipeline | undefined {
  const toks = tokenize(src);
  if (!toks) return undefined;
  const r = pipelineAt(toks, 0);
  return r && r.next === toks.length ? r.pipe : undefined;
}

function pipelineAt(toks: Tok[], start: number): { pipe: Pipeline; next: number } | undefined {
  let i = start;
  const pipe: Pipeline = { cmds: [] };
  const a = toks[i];
  const op = toks[i + 1];
  if (a?.t === 'field' && a.base.startsWith('$') && a.path.length === 0 && op?.t === 'op') {
    if (op.v === ':=' || op.v === '=') {
      pipe.assign = a.base;
      i += 2;
    }
  }
  for (;;) {
    const cmd: Command = { args: [] };
    while (i < toks.length) {
      const t = toks[i];
      if (!t || (t.t === 'op' && (t.v === '|' || t.v === ')'))) break;
      if (t.t === 'op' && t.v === '(') {
        const sub = pipelineAt(toks, i + 1);
        if (!sub || toks[sub.next]?.t !== 'op') return undefined;
        cmd.args.push({ t: 'sub', pipe: sub.pipe });
        i = sub.next + 1;
      } else if (t.t === 'op') return undefined;
      else if (t.t === 'ident') {
        const lit = ({ true: true, false: false, nil: null } as Record<string, unknown>)[t.v];
        if (lit !== undefined || t.v === 'nil') cmd.args.push({ t: 'lit', v: lit ?? null });
        else if (cmd.fn === undefined && cmd.args.length === 0) cmd.fn = t.v;
        else return undefined;
        i++;
      } else {
        cmd.args.push(t);
        i++;
      }
    }
    if (cmd.fn === undefined && cmd.args.length !== 1) return undefined;
    pipe.cmds.push(cmd);
    if (toks[i]?.t === 'op' && (toks[i] as { v: string }).v === '|') i++;
    else return { pipe, next: i };
  }
}

/** Go templates' truth: false, 0, nil, and empty strings, lists and maps are false. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isRecord(v)) return Object.keys(v).length > 0;
  return true;
}

/** A number as Go's fmt prints Helm's float64 values: `2`, `0.5`, `1e+06`. */
export function goNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const [mant = '0', expText = '0'] = n.toExponential().split('e');
  const exp = Number(expText);
  // strconv's shortest %g: exponent form below 1e-4 and from 1e6 (Helm's integers are float64s).
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mant}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(n);
}

/** A value as a template prints it; UNKNOWN for maps and lists (Go prints `map[...]`). */
export function printed(v: unknown): string | typeof UNKNOWN {
  if (v === UNKNOWN) return UNKNOWN;
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return UNKNOWN;
}

const str = (v: unknown): string | typeof UNKNOWN => printed(v);

function sprintf(format: unknown, args: unknown[]): unknown {
  if (typeof format !== 'string') return UNKNOWN;
  let k = 0;
  let bad = false;
  const out = format.replace(/%([%sdvq])/g, (_m, verb: string) => {
    if (verb === '%') return '%';
    const p = str(args[k++]);
    if (p === UNKNOWN) bad = true;
    return p === UNKNOWN ? '' : verb === 'q' ? JSON.stringify(p) : p;
  });
  return bad || /%[^%sdvq]/.test(format.replace(/%%/g, '')) ? UNKNOWN : out;
}

function strFn(f: (...s: string[]) => unknown): (args: unknown[]) => unknown {
  return (args) => {
    const s = args.map(str);
    return s.some((x) => x === UNKNOWN) ? UNKNOWN : f(...(s as string[]));
  };
}

/** The functions a chart's names and conditions commonly use (Go builtins and Sprig). */
const FUNCS: Record<string, (args: unknown[], scope: Scope) => unknown> = {
  include: ([name, ctx], scope) => (typeof name === 'string' ? scope.include(name, ctx) : UNKNOWN),
  default: (args) => (args.length >= 2 && truthy(args[args.length - 1]) ? args[args.length - 1] : args[0]),
  printf: ([format, ...rest]) => sprintf(format, rest),
  print: strFn((...s) => s.join('')),
  trunc: ([n, s]) => {
    const t = str(s);
    if (typeof n !== 'number' || t === UNKNOWN) return UNKNOWN;
    if (n < 0) return t.length + n > 0 ? t.slice(t.length + n) : t;
    return t.slice(0, n);
  },
  trimSuffix: strFn((suffix = '', s = '') => (s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s)),
  trimPrefix: strFn((prefix = '', s = '') => (s.startsWith(prefix) ? s.slice(prefix.length) : s)),
  trim: strFn((s = '') => s.trim()),
  lower: strFn((s = '') => s.toLowerCase()),
  upper: strFn((s = '') => s.toUpperCase()),
  replace: strFn((from = '', to = '', s = '') => s.split(from).join(to)),
  contains: strFn((sub = '', s = '') => s.includes(sub)),
  hasPrefix: strFn((p = '', s = '') => s.startsWith(p)),
  hasSuffix: strFn((p = '', s = '') => s.endsWith(p)),
  quote: strFn((...s) => s.map((x) => JSON.stringify(x)).join(' ')),
  squote: strFn((...s) => s.map((x) => `'${x}'`).join(' ')),
  toString: strFn((s = '') => s),
  eq: ([a, ...bs]) => bs.some((b) => a === b),
  ne: ([a, b]) => a !== b,
  not: ([a]) => !truthy(a),
  and: (args) => args.find((a) => !truthy(a)) ?? args[args.length - 1],
  or: (args) => args.find((a) => truthy(a)) ?? args[args.length - 1],
  empty: ([a]) => !truthy(a),
  required: ([, v]) => (v === null || v === undefined || v === '' ? UNKNOWN : v),
  int: ([v]) => (typeof v === 'number' ? Math.trunc(v) : UNKNOWN),
  int64: ([v]) => (typeof v === 'number' ? Math.trunc(v) : UNKNOWN),
  toYaml: ([v]) => (isRecord(v) || Array.isArray(v) ? UNKNOWN : stringify(v).trimEnd()),
};

function fieldOf(base: unknown, path: readonly string[]): unknown {
  let cur = base;
  for (const k of path) {
    if (cur === UNKNOWN) return UNKNOWN;
    // Helm fails on a field of nil; a chart that renders never does that, so it is "cannot tell".
    if (!isRecord(cur)) return UNKNOWN;
    cur = Object.hasOwn(cur, k) ? cur[k] : null;
  }
  return cur;
}

function operand(o: Operand, scope: Scope): unknown {
  if (o.t === 'lit') return o.v;
  if (o.t === 'sub') return evalPipeline(o.pipe, scope);
  const base = o.base === '.' ? scope.dot : o.base === '$' ? scope.root : scope.vars.get(o.base);
  if (base === undefined) return UNKNOWN;
  return fieldOf(base, o.path);
}

/** Evaluates a pipeline (assigning its variable, if any); UNKNOWN when any part is beyond it. */
export function evalPipeline(p: Pipeline, scope: Scope): unknown {
  let prev: unknown[] = [];
  for (const cmd of p.cmds) {
    const args = [...cmd.args.map((a) => operand(a, scope)), ...prev];
    if (args.some((a) => a === UNKNOWN)) return UNKNOWN;
    let v: unknown;
    if (cmd.fn === undefined) v = args.length === 1 ? args[0] : UNKNOWN;
    else {
      const f = FUNCS[cmd.fn];
      v = f ? f(args, scope) : UNKNOWN;
    }
    if (v === UNKNOWN) return UNKNOWN;
    prev = [v];
  }
  const out = prev[0] ?? null;
  if (p.assign !== undefined) scope.vars.set(p.assign, out);
  return out;
}

/** The `.Values` path a pipeline's operand reads (`.Values.a.b`, `$.Values.a.b`), if it is one. */
export function valuesPathOf(o: Operand | undefined): string[] | undefined {
  if (o?.t !== 'field' || (o.base !== '.' && o.base !== '$') || o.path[0] !== 'Values') return undefined;
  return o.path.slice(1);
}
