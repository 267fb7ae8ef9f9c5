import { CONSTANT, VALUE, type TokenizedLine, type WordClass } from './tokenizer';

/** How a template renders a variable. */
export const WILDCARD = '<*>';

/** A template position still holds the word of the line that created it. */
export const LITERAL = 0;
/** A position that has seen different variable-like words: it accepts any variable-like word. */
export const VARIABLE = 1;
/** A position generalised over constant words too (many distinct values): it accepts any word. */
export const ANY = 2;
export type Slot = typeof LITERAL | typeof VARIABLE | typeof ANY;

/**
 * A template, mutable inside the miner. A line matches it when it has as many words and, at every
 * position, the words are equal, or both are variable-like, or the position is `ANY`. A template
 * only ever turns `LITERAL` slots into `VARIABLE` ones by absorbing a line, which never changes
 * which lines match it: the set of lines a template matches is fixed when it is created.
 */
export interface Template {
  id: string;
  /** Creation order, unique within a miner: the earliest matching template wins. */
  seq: number;
  words: string[];
  seps: string[];
  /** Class of the creating line's word at each position. */
  classes: WordClass[];
  slots: Slot[];
  count: number;
  /** Miner clock (lines added) when a line last matched: for evicting the least recently used. */
  lastSeen: number;
}

/** What a variable-like word is in a skeleton key; a NUL in a constant word is doubled. */
const MASK = '\u0000';

/**
 * The line's shape as matching sees it: constant words verbatim, variable-like ones masked. One
 * key is one shape: separators never hold a NUL, and one in a constant word is written twice,
 * so the constant word NUL and a masked word differ.
 */
export function skeletonKey(line: TokenizedLine): string {
  const { words, seps, classes } = line;
  let key = '';
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    const shown = classes[i] !== CONSTANT ? MASK : w.includes(MASK) ? w.replaceAll(MASK, MASK + MASK) : w;
    key += (seps[i] ?? '') + shown;
  }
  return key + (seps[words.length] ?? '');
}

/** A short stable id from a template's creating skeleton (64-bit FNV-style hash, hex). */
export function templateId(key: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  return `tpl_${(h1 >>> 0).toString(16).padStart(8, '0')}${(h2 >>> 0).toString(16).padStart(8, '0')}`;
}

export function createTemplate(
  id: string,
  seq: number,
  line: TokenizedLine,
  clock: number,
  anyAt = -1,
): Template {
  return {
    id,
    seq,
    words: line.words.slice(),
    seps: line.seps.slice(),
    classes: line.classes.slice(),
    slots: line.words.map((_, i) => (i === anyAt ? ANY : LITERAL)),
    count: 1,
    lastSeen: clock,
  };
}

/**
 * Compares a line of the same length with a template. Returns -1 when the line matches, the
 * position of the only mismatch when both words there are constants (a sibling: the same message
 * with one other word), or -2 otherwise.
 */
export function compare(t: Template, line: TokenizedLine): number {
  const { words, classes } = line;
  let mismatch = -1;
  for (let i = 0; i < words.length; i++) {
    const slot = t.slots[i];
    if (slot === ANY) continue;
    const lineConstant = classes[i] === CONSTANT;
    if (!lineConstant && (slot === VARIABLE || t.classes[i] !== CONSTANT)) continue;
    if (slot === LITERAL && t.words[i] === words[i]) continue;
    if (mismatch >= 0 || !lineConstant || t.classes[i] !== CONSTANT) return -2;
    mismatch = i;
  }
  return mismatch;
}

/** Counts a matching line in, turning the literal slots where its words differ into variables. */
export function absorb(t: Template, line: TokenizedLine, clock: number): boolean {
  t.count++;
  t.lastSeen = clock;
  let changed = false;
  for (let i = 0; i < t.words.length; i++) {
    if (t.slots[i] === LITERAL && t.words[i] !== line.words[i]) {
      t.slots[i] = VARIABLE;
      changed = true;
    }
  }
  return changed;
}

/**
 * The template as text: the creating line with `<*>` for every generalised slot and every value
 * (numbers, addresses, times: variables even before a second value is seen).
 */
export function render(t: Template): string {
  let out = '';
  for (let i = 0; i < t.words.length; i++) {
    out +=
      (t.seps[i] ?? '') + (t.slots[i] !== LITERAL || t.classes[i] === VALUE ? WILDCARD : (t.words[i] ?? ''));
  }
  return out + (t.seps[t.words.length] ?? '');
}
