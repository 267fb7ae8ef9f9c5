import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import type { PathSegment } from '../field-path';

/**
 * Where a field path leads in a parsed YAML document: to an existing node, to the place where
 * the missing rest of the path would be created, or nowhere an edit may go (with why).
 */
export type Resolution =
  | { status: 'found'; node: Node; pair: Pair | undefined; parent: YAMLMap | undefined }
  | { status: 'missing'; at: number; slot: MissingSlot }
  | { status: 'blocked'; reason: string };

/** Where missing keys go: into an existing map, or as the value of a key that has none (`requests:`). */
export type MissingSlot = { kind: 'map'; map: YAMLMap } | { kind: 'empty-value'; pair: Pair };

export function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
}

/** A map, list or scalar: a node an edit can address (not an alias). */
export function isValueNode(v: unknown): v is Node {
  return isMap(v) || isSeq(v) || isScalar(v);
}

/** A scalar with no text at all: the value of `key:` followed by nothing. */
export function isEmptyValue(v: unknown): boolean {
  return isScalar(v) && v.value === null && v.source === '';
}

export function resolveNode(root: unknown, path: readonly PathSegment[]): Resolution {
  let cur: unknown = root;
  let pair: Pair | undefined;
  let parent: YAMLMap | undefined;
  for (let i = 0; i < path.length; i++) {
    const s = path[i];
    if (s === undefined) break;
    if (s.kind === 'key') {
      if (isEmptyValue(cur) && pair) return { status: 'missing', at: i, slot: { kind: 'empty-value', pair } };
      if (!isMap(cur)) return { status: 'blocked', reason: blockedReason(cur, path, i) };
      const p = pairOf(cur, s.key);
      if (!p) return { status: 'missing', at: i, slot: { kind: 'map', map: cur } };
      parent = cur;
      pair = p;
      cur = p.value;
      if (!isValueNode(cur) && cur !== null)
        return { status: 'blocked', reason: 'the value is a YAML alias' };
      continue;
    }
    if (!isSeq(cur)) return { status: 'blocked', reason: blockedReason(cur, path, i) };
    const item =
      s.kind === 'index'
        ? cur.items[s.index]
        : cur.items.find((it) => {
            if (!isMap(it)) return false;
            const p = pairOf(it, s.key);
            return p !== undefined && isScalar(p.value) && String(p.value.value) === s.value;
          });
    if (item === undefined) {
      const what = s.kind === 'index' ? `item ${s.index}` : `an item with ${s.key}=${s.value}`;
      return { status: 'blocked', reason: `the list has no ${what}; Sleuth does not create list items` };
    }
    if (!isValueNode(item)) return { status: 'blocked', reason: 'a list item is a YAML alias' };
    pair = undefined;
    parent = undefined;
    cur = item;
  }
  if (!isValueNode(cur)) return { status: 'blocked', reason: 'the value is empty or a YAML alias' };
  return { status: 'found', node: cur, pair, parent };
}

function blockedReason(cur: unknown, path: readonly PathSegment[], i: number): string {
  const what = isSeq(cur) ? 'a list' : isMap(cur) ? 'a map' : isScalar(cur) ? 'a single value' : 'not a map';
  return `the manifest has ${what} where the path expects ${path[i]?.kind === 'key' ? 'a map' : 'a list'} (segment ${i + 1})`;
}

/** The column of an offset: characters since the line began. */
export function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** The offset just after the end of the line holding `offset` (after its newline). */
export function nextLineStart(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const nl = text.indexOf('\n', offset);
  return nl === -1 ? text.length : nl + 1;
}

/** The document's indentation step: how far a nested block map sits right of its parent key. */
export function indentStep(text: string, root: unknown): number {
  const queue: unknown[] = [root];
  while (queue.length > 0) {
    const m = queue.shift();
    if (!isMap(m) || m.flow) continue;
    for (const p of m.items) {
      const v = p.value;
      if (isMap(v) && !v.flow && isScalar(p.key) && p.key.range) {
        const first = v.items[0];
        if (isScalar(first?.key) && first.key.range) {
          const step = columnOf(text, first.key.range[0]) - columnOf(text, p.key.range[0]);
          if (step > 0 && step <= 8) return step;
        }
      }
      queue.push(v);
    }
  }
  return 2;
}

/**
 * How far the document indents a block sequence's dashes right of its key: 0 for
 * `containers:\n- name: api`, 2 for `containers:\n  - name: api` (the first one found; 2 when
 * the document has none).
 */
export function sequenceIndent(text: string, root: unknown): number {
  const queue: unknown[] = [root];
  while (queue.length > 0) {
    const m = queue.shift();
    if (isSeq(m)) queue.push(...m.items);
    if (!isMap(m)) continue;
    for (const p of m.items) {
      const v = p.value;
      const first: unknown = isSeq(v) && !v.flow ? v.items[0] : undefined;
      const start = isValueNode(first) ? first.range?.[0] : undefined;
      if (start !== undefined && isScalar(p.key) && p.key.range) {
        const lineStart = text.lastIndexOf('\n', start - 1) + 1;
        const dash = text.slice(lineStart, start).indexOf('-');
        const step = dash - columnOf(text, p.key.range[0]);
        if (dash >= 0 && step >= 0 && step <= 8) return step;
      }
      queue.push(v);
    }
  }
  return 2;
}
