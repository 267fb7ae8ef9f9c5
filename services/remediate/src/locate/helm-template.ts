import type { Pipeline } from './helm-expr';
import { logicalLines, type LLine } from './helm-lines';

/** An open `if`, `with`, `range` or `define` around template lines: its line and its text. */
export interface Guard {
  line: number;
  src: string;
}

/**
 * The YAML structure a template document writes, recovered line by line without rendering it:
 * keys and list items by indentation, values as template text, `{{ toYaml X | nindent N }}`
 * lines as injected blocks, and for each the conditionals around it.
 */
export type YNode =
  | { t: 'map'; line: number; entries: YEntry[]; others: YOther[] }
  | { t: 'seq'; line: number; items: YItem[] }
  /** A value as written after `key:` or `- ` (template text); `block` for `|`/`>` text. */
  | { t: 'scalar'; line: number; src: string; block: boolean }
  /** A line that prints a block of YAML (`toYaml`, `include` with `nindent`). */
  | { t: 'inject'; line: number; src: string; pipe: Pipeline | undefined; guards: Guard[] }
  | { t: 'empty'; line: number };

export interface YEntry {
  key: string;
  line: number;
  guards: Guard[];
  value: YNode;
}
export interface YItem {
  line: number;
  guards: Guard[];
  value: YNode;
}
/** Something in a map that is not a `key:` line: an injected block or a line Sleuth cannot read. */
export interface YOther {
  line: number;
  why: string;
  inject?: Extract<YNode, { t: 'inject' }>;
}

/** One document of a template file (sections between `---` lines). */
export interface TemplateDoc {
  file: string;
  /** The document's index in the file. */
  index: number;
  root: YNode;
  /** Conditionals around the whole document: whether the object exists at all. */
  docGuards: Guard[];
  /** File line number → its text, for reasons that quote a line. */
  lines: Map<number, string>;
}

function build(ls: LLine[]): YNode {
  let i = 0;
  const block = (col: number): YNode => {
    const first = ls[i];
    if (!first) return { t: 'empty', line: 0 };
    if (first.kind === 'dash') return seq(col);
    const next = ls[i + 1];
    if ((first.kind === 'scalar' || first.kind === 'inject') && (!next || next.col < col)) {
      i++;
      return first.node;
    }
    return map(col);
  };
  const seq = (col: number): YNode => {
    const items: YItem[] = [];
    const line = ls[i]?.no ?? 0;
    while (ls[i]?.col === col && ls[i]?.kind === 'dash') {
      const d = ls[i++] as LLine;
      const n = ls[i];
      const value = n && n.col > col ? block(n.col) : { t: 'empty' as const, line: d.no };
      items.push({ line: d.no, guards: d.guards, value });
    }
    return { t: 'seq', line, items };
  };
  const map = (col: number): YNode => {
    const entries: YEntry[] = [];
    const others: YOther[] = [];
    const line = ls[i]?.no ?? 0;
    while (i < ls.length && (ls[i]?.col ?? -1) >= col) {
      const l = ls[i] as LLine;
      if (l.col > col || l.kind === 'dash') {
        others.push({ line: l.no, why: 'a line Sleuth cannot place' });
        if (l.kind === 'dash') seq(l.col);
        else i++;
        continue;
      }
      i++;
      if (l.kind === 'entry') {
        let value = l.value;
        const n = ls[i];
        if (value === undefined && n && n.col > col) value = block(n.col);
        else if (value === undefined && n?.col === col && n.kind === 'dash') value = seq(col);
        entries.push({
          key: l.key,
          line: l.no,
          guards: l.guards,
          value: value ?? { t: 'empty', line: l.no },
        });
      } else if (l.kind === 'inject') others.push({ line: l.no, why: 'a printed block', inject: l.node });
      else others.push({ line: l.no, why: l.kind === 'opaque' ? l.why : 'a value without a key' });
    }
    return { t: 'map', line, entries, others };
  };
  const root = block(ls[0]?.col ?? 0);
  return root;
}

/** Guards every line of the document is under, opened before its first line: the object's own. */
function commonGuards(ls: LLine[]): Guard[] {
  const first = ls[0];
  if (!first) return [];
  let common = first.guards;
  for (const l of ls) {
    let k = 0;
    while (k < common.length && l.guards[k] === common[k]) k++;
    common = common.slice(0, k);
  }
  return common.filter((g) => g.line < first.no || (g.line === first.no && first.kind !== 'entry'));
}

/** Reads each document of a template file. */
export function templateDocs(file: string, text: string): TemplateDoc[] {
  const all = text.split(/\r?\n/).map((t, k) => ({ no: k + 1, text: t }));
  const sections: { no: number; text: string }[][] = [[]];
  for (const l of all) {
    if (/^---(\s|$)/.test(l.text)) sections.push([]);
    else sections[sections.length - 1]?.push(l);
  }
  let index = -1;
  return sections.flatMap((lines) => {
    const { out, broken } = logicalLines(lines);
    if (out.length === 0) return [];
    index++;
    const docGuards = commonGuards(out);
    const own = new Set(docGuards);
    for (const l of out) l.guards = l.guards.filter((g) => !own.has(g));
    const root: YNode = broken
      ? {
          t: 'map',
          line: broken.no,
          entries: [],
          others: [{ line: broken.no, why: broken.kind === 'opaque' ? broken.why : '' }],
        }
      : build(out);
    const docLines = new Map(lines.map((l) => [l.no, l.text] as const));
    return [{ file, index, root, docGuards, lines: docLines }];
  });
}
