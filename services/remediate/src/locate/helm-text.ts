import {
  evalPipeline,
  parsePipeline,
  printed,
  truthy,
  UNKNOWN,
  type Pipeline,
  type Scope,
} from './helm-expr';

/** Template text cut into literal text and actions, with `{{-`/`-}}` whitespace trimming applied. */
export type Piece = { t: 'text'; s: string } | { t: 'action'; src: string; line: number };

/**
 * Cuts text into pieces. `line` numbers count from `firstLine`. Undefined when an action is
 * not closed (an action over several lines is read whole).
 */
export function splitPieces(text: string, firstLine = 1): Piece[] | undefined {
  const out: Piece[] = [];
  let i = 0;
  let trimNext = false;
  while (i <= text.length) {
    const open = text.indexOf('{{', i);
    let lit = text.slice(i, open === -1 ? text.length : open);
    if (trimNext) lit = lit.replace(/^\s+/, '');
    if (open === -1) {
      out.push({ t: 'text', s: lit });
      return out;
    }
    const close = actionEnd(text, open + 2);
    if (close === -1) return undefined;
    let inner = text.slice(open + 2, close);
    if (/^-\s/.test(inner)) {
      lit = lit.replace(/\s+$/, '');
      inner = inner.slice(1);
    }
    trimNext = /\s-$/.test(inner);
    if (trimNext) inner = inner.slice(0, -1);
    out.push({ t: 'text', s: lit });
    const line = firstLine + (text.slice(0, open).match(/\n/g)?.length ?? 0);
    out.push({ t: 'action', src: inner.trim(), line });
    i = close + 2;
  }
  return out;
}

/** Where the action opened before `from` closes (`}}` outside strings and comments), or -1. */
function actionEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    } else if (c === '`') i = text.indexOf('`', i + 1);
    else if (text.startsWith('/*', i)) i = text.indexOf('*/', i + 2) + 1;
    else if (text.startsWith('}}', i)) return i;
    if (i <= 0) return -1;
    i++;
  }
  return -1;
}

/** The keyword of an action: `if`, `else`, `end`, `define`, a comment, or `out` (prints a value). */
export type ActionKind = 'if' | 'else' | 'end' | 'with' | 'range' | 'define' | 'block' | 'comment' | 'out';

export function actionKind(src: string): ActionKind {
  if (src.startsWith('/*')) return 'comment';
  const word = /^([a-z]+)\b/.exec(src)?.[1];
  switch (word) {
    case 'if':
    case 'else':
    case 'end':
    case 'with':
    case 'range':
    case 'define':
    case 'block':
      return word;
    default:
      return 'out';
  }
}

/** Template text as a tree: literal text, printed pipelines, if/else chains and named templates. */
export type TNode =
  | { t: 'text'; s: string }
  | { t: 'out'; pipe: Pipeline | undefined; src: string }
  | { t: 'if'; branches: { cond: Pipeline | undefined; body: TNode[] }[] }
  | { t: 'define'; name: string; body: TNode[] }
  /** `with`, `range`, `block` and anything unparsable: it renders as UNKNOWN. */
  | { t: 'opaque'; src: string };

/** Parses template text into a tree, or undefined when its blocks do not balance. */
export function parseTemplate(text: string): TNode[] | undefined {
  const pieces = splitPieces(text);
  if (!pieces) return undefined;
  let i = 0;
  const block = (): { nodes: TNode[]; stop: string } | undefined => {
    const nodes: TNode[] = [];
    while (i < pieces.length) {
      const p = pieces[i++];
      if (!p) break;
      if (p.t === 'text') {
        if (p.s !== '') nodes.push({ t: 'text', s: p.s });
        continue;
      }
      const kind = actionKind(p.src);
      if (kind === 'comment') continue;
      if (kind === 'end' || kind === 'else') return { nodes, stop: p.src };
      if (kind === 'out') {
        const src = p.src.replace(/^template\s/, 'include ');
        nodes.push({ t: 'out', pipe: parsePipeline(src), src: p.src });
        continue;
      }
      if (kind === 'if') {
        const branches: { cond: Pipeline | undefined; body: TNode[] }[] = [];
        let cond: Pipeline | undefined = parsePipeline(p.src.slice(2));
        for (;;) {
          const b = block();
          if (!b) return undefined;
          branches.push({ cond, body: b.nodes });
          if (b.stop === 'end' || b.stop.startsWith('end ')) break;
          const elseIf = /^else\s+if\s(.*)$/s.exec(b.stop);
          if (elseIf) cond = parsePipeline(elseIf[1] ?? '');
          else if (b.stop === 'else') cond = { cmds: [{ args: [{ t: 'lit', v: true }] }] };
          else return undefined;
        }
        nodes.push({ t: 'if', branches });
        continue;
      }
      const inner = block();
      if (!inner || inner.stop.startsWith('else')) {
        // `with ... else` and `range ... else`: skip to their end; they are opaque either way.
        if (!inner || !block()) return undefined;
      }
      const name = /^define\s+"([^"]+)"\s*$/.exec(p.src)?.[1];
      if (kind === 'define' && name !== undefined) nodes.push({ t: 'define', name, body: inner.nodes });
      else nodes.push({ t: 'opaque', src: p.src });
    }
    return { nodes, stop: '' };
  };
  const top = block();
  return top && top.stop === '' ? top.nodes : undefined;
}

/** The named templates (`define`) of parsed template text. */
export function definesOf(nodes: readonly TNode[], into = new Map<string, TNode[]>()): Map<string, TNode[]> {
  for (const n of nodes) if (n.t === 'define') into.set(n.name, n.body);
  return into;
}

/** Renders parsed template text to a string, or UNKNOWN when any part of it is beyond the evaluator. */
export function renderNodes(nodes: readonly TNode[], scope: Scope): string | typeof UNKNOWN {
  let out = '';
  for (const n of nodes) {
    if (n.t === 'text') out += n.s;
    else if (n.t === 'define') continue;
    else if (n.t === 'opaque') return UNKNOWN;
    else if (n.t === 'out') {
      if (!n.pipe) return UNKNOWN;
      const v = evalPipeline(n.pipe, scope);
      if (n.pipe.assign !== undefined) {
        if (v === UNKNOWN) return UNKNOWN;
        continue;
      }
      const p = printed(v);
      if (p === UNKNOWN) return UNKNOWN;
      out += p;
    } else {
      let taken = false;
      for (const b of n.branches) {
        if (!b.cond) return UNKNOWN;
        const c = evalPipeline(b.cond, scope);
        if (c === UNKNOWN) return UNKNOWN;
        if (!truthy(c)) continue;
        const inner = renderNodes(b.body, scope);
        if (inner === UNKNOWN) return UNKNOWN;
        out += inner;
        taken = true;
        break;
      }
      if (!taken) continue;
    }
  }
  return out;
}

/** Renders one fragment of template text (a value on a line) against a scope. */
export function renderFragment(text: string, scope: Scope): string | typeof UNKNOWN {
  const nodes = parseTemplate(text);
  return nodes ? renderNodes(nodes, scope) : UNKNOWN;
}
