import { parsePipeline, type Pipeline } from './helm-expr';
import type { Guard, YNode } from './helm-template';
import { actionKind, splitPieces, type Piece } from './helm-text';

/** One line of a template document as YAML structure: a list dash, a `key:`, a value, a printed block. */
export type LLine = {
  no: number;
  col: number;
  guards: Guard[];
} & (
  | { kind: 'dash' }
  | { kind: 'entry'; key: string; value: YNode | undefined }
  | { kind: 'scalar'; node: YNode }
  | { kind: 'inject'; node: Extract<YNode, { t: 'inject' }> }
  | { kind: 'opaque'; why: string }
);

const KEY =
  /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{}[\],&*!|>%@`:-][^:#{}]*?|-[^\s:#{}][^:#{}]*?)[ \t]*:(?=\s|$)/;
const OPENS = new Set(['if', 'with', 'range', 'define', 'block']);

function unquoteKey(k: string): string {
  if (k.startsWith('"')) return JSON.parse(k) as string;
  if (k.startsWith("'")) return k.slice(1, -1).replace(/''/g, "'");
  return k;
}

/** The text before a ` #` comment, outside quotes and template actions. */
function stripComment(s: string): string {
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (s.startsWith('{{', i)) {
      const end = s.indexOf('}}', i + 2);
      if (end === -1) return s;
      i = end + 1;
    } else if (quote !== '') {
      if (c === quote && s[i - 1] !== '\\') quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(s[i - 1] ?? ''))) return s.slice(0, i).trimEnd();
  }
  return s.trimEnd();
}

/** The column a printed block lands at: `nindent N`/`indent N` as the pipeline's last command. */
function injectColumn(pipe: Pipeline | undefined): number | undefined {
  const last = pipe?.cmds[pipe.cmds.length - 1];
  const n = last?.args[0];
  return (last?.fn === 'nindent' || last?.fn === 'indent') && n?.t === 'lit' && typeof n.v === 'number'
    ? n.v
    : undefined;
}

function injectNode(src: string, line: number, guards: Guard[]): Extract<YNode, { t: 'inject' }> {
  return { t: 'inject', line, src, pipe: parsePipeline(src), guards };
}

/** A value that is one printing action with `nindent`/`indent`: a block of YAML. */
function asInject(text: string, line: number, guards: Guard[]): Extract<YNode, { t: 'inject' }> | undefined {
  const pieces = splitPieces(text);
  const empty = (p: Piece | undefined): boolean => p?.t === 'text' && p.s === '';
  if (pieces?.length !== 3 || !empty(pieces[0]) || !empty(pieces[2])) return undefined;
  const a = pieces[1];
  if (a?.t !== 'action' || actionKind(a.src) !== 'out') return undefined;
  const node = injectNode(a.src, line, guards);
  return injectColumn(node.pipe) === undefined ? undefined : node;
}

/** Cuts a document's lines into logical lines with the conditionals open at each. */
export function logicalLines(lines: { no: number; text: string }[]): { out: LLine[]; broken?: LLine } {
  const out: LLine[] = [];
  const stack: Guard[] = [];
  let broken: LLine | undefined;
  /** An opaque line; `fatal` when the conditionals around later lines can no longer be told. */
  const fail = (no: number, col: number, why: string, fatal: boolean): void => {
    const l: LLine = { no, col, guards: [...stack], kind: 'opaque', why };
    out.push(l);
    if (fatal) broken ??= l;
  };
  for (let j = 0; j < lines.length; j++) {
    const first = lines[j];
    if (!first) continue;
    let text = first.text;
    // An action over several lines is read whole.
    while (splitPieces(text) === undefined && j + 1 < lines.length && text.length < 4000)
      text += `\n${lines[++j]?.text ?? ''}`;
    const col = /^ */.exec(text)?.[0].length ?? 0;
    let body = text.slice(col);
    if (body.trim() === '') continue;
    const pieces = splitPieces(body);
    if (!pieces) {
      fail(first.no, col, 'an action that is not closed', true);
      continue;
    }
    const actions = pieces.flatMap((p) => (p.t === 'action' ? [p.src] : []));
    const pure = pieces.every((p) => p.t === 'action' || p.s.trim() === '');
    const controls = actions.filter((a) => actionKind(a) !== 'out' && actionKind(a) !== 'comment');
    const balance = (as: string[]): void => {
      for (const a of as) {
        const k = actionKind(a);
        if (OPENS.has(k)) stack.push({ line: first.no, src: a });
        else if (k === 'end' && stack.pop() === undefined)
          fail(first.no, col, 'an {{ end }} that closes nothing', true);
        else if (k === 'else') {
          // A branch of its own: the lines after it are not under the `if` they follow.
          const open = stack.pop();
          if (open) stack.push({ line: first.no, src: `${open.src} … ${a}` });
          else fail(first.no, col, 'an {{ else }} outside any block', true);
        }
      }
    };
    if (body.startsWith('#')) {
      // Helm runs actions in YAML comments too: their conditionals still open and close.
      balance(controls);
      continue;
    }
    if (pure) {
      for (const a of actions) {
        const k = actionKind(a);
        if (k === 'out' && !/^\$[A-Za-z0-9_]*\s*:?=/.test(a)) {
          const node = injectNode(a, first.no, [...stack]);
          out.push({
            no: first.no,
            col: injectColumn(node.pipe) ?? col,
            guards: [...stack],
            kind: 'inject',
            node,
          });
        } else balance([a]);
      }
      continue;
    }
    // Conditionals opened at the start of a content line guard it; others must close on it.
    let c = col;
    while (body.startsWith('{{')) {
      const lead = splitPieces(body)?.[1];
      if (lead?.t !== 'action' || !OPENS.has(actionKind(lead.src))) break;
      balance([lead.src]);
      body = body.slice(body.indexOf('}}') + 2).trimStart();
    }
    const inner = controls.filter((a) => !stack.some((g) => g.line === first.no && g.src === a));
    const opens = inner.filter((a) => OPENS.has(actionKind(a))).length;
    const ends = inner.filter((a) => actionKind(a) === 'end').length;
    if (opens !== ends) {
      balance(inner);
      fail(first.no, c, 'a conditional that opens or closes inside a line', false);
      continue;
    }
    while (/^-(?:[ \t]+|$)/.test(body)) {
      out.push({ no: first.no, col: c, guards: [...stack], kind: 'dash' });
      const m = /^-[ \t]*/.exec(body)?.[0] ?? '-';
      c += m.length;
      body = body.slice(m.length);
    }
    if (body.trim() === '') continue;
    const key = KEY.exec(body);
    if (!key?.[1] || key[1].includes('{{')) {
      if (body.startsWith('{{') && /^\{\{[^}]*\}\}\s*:/.test(body))
        fail(first.no, c, 'a computed key', false);
      else {
        const v = stripComment(body);
        const node = asInject(v, first.no, [...stack]) ?? {
          t: 'scalar',
          line: first.no,
          src: v,
          block: false,
        };
        out.push({ no: first.no, col: c, guards: [...stack], kind: 'scalar', node });
      }
      continue;
    }
    const rest = stripComment(body.slice(key[0].length).trim());
    let value: YNode | undefined;
    if (/^[|>][-+0-9]*$/.test(rest)) {
      const block: string[] = [];
      while (j + 1 < lines.length) {
        const next = lines[j + 1]?.text ?? '';
        if (next.trim() !== '' && (/^ */.exec(next)?.[0].length ?? 0) <= c) break;
        block.push(next);
        j++;
      }
      value = { t: 'scalar', line: first.no, src: block.join('\n'), block: true };
    } else if (rest !== '')
      value = asInject(rest, first.no, [...stack]) ?? {
        t: 'scalar',
        line: first.no,
        src: rest,
        block: false,
      };
    out.push({ no: first.no, col: c, guards: [...stack], kind: 'entry', key: unquoteKey(key[1]), value });
  }
  if (stack.length > 0)
    broken ??= {
      no: stack[0]?.line ?? 0,
      col: 0,
      guards: [],
      kind: 'opaque',
      why: 'a block that is not closed',
    };
  return broken ? { out, broken } : { out };
}
