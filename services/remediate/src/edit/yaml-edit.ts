import { isDeepStrictEqual } from 'node:util';
import { isScalar, parse, parseAllDocuments, Scalar, type Document, type Node } from 'yaml';
import { decline, isDecline, type Decline } from '../decline';
import { formatFieldPath, valueAt, type PathSegment } from '../field-path';
import { deletePlain, setPlain } from './plain-edit';
import { keyText, scalarText } from './scalar-text';
import { appendItem } from './yaml-append';
import {
  columnOf,
  indentStep,
  isEmptyValue,
  isValueNode,
  nextLineStart,
  resolveNode,
  type MissingSlot,
  type Resolution,
} from './yaml-nodes';

/** Where an object sits in its YAML document: `[]`, or `['items', 3]` inside a `kind: List`. */
export type ObjectPath = readonly (string | number)[];

/**
 * One change to one field of an object: set a single value (creating missing maps), remove a key,
 * or append a map to a block list (`env:`). Items are never created to reach a path.
 */
export type FieldEdit =
  | {
      op: 'set';
      path: readonly PathSegment[];
      value: string | number;
      /** A quantity may be written as a plain number (`cpu: 1`) where the old value was plain. */
      quantity?: boolean;
      /**
       * A string with `:` or `@` the caller has checked (an image reference) stays plain where the
       * old value was plain, when YAML reads the plain text back as the same string.
       */
      plain?: boolean;
    }
  | { op: 'delete'; path: readonly PathSegment[] }
  | {
      /**
       * Adds one map to the end of a block sequence of maps (`env:`), creating the sequence under
       * its key when the key is missing or empty. The item's keys are written in the order given,
       * with `comment` after its last value.
       */
      op: 'append';
      path: readonly PathSegment[];
      item: Readonly<Record<string, string | number>>;
      comment?: string;
    };

export interface EditTarget {
  /** The whole file, every document. */
  text: string;
  /** Which of the file's YAML documents holds the object (0-based, as `yaml` parses them). */
  documentIndex: number;
  objectPath: ObjectPath;
}

export interface EditResult {
  /** The whole file after the edit: only the edited values' bytes differ. */
  text: string;
  /** The object before and after, as plain data. */
  before: unknown;
  after: unknown;
}

/** The file's YAML documents with ranges in file offsets, or the first parse error. */
export function parseDocuments(text: string): Document.Parsed[] | { error: string } {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return [];
  for (const d of docs) {
    const err = d.errors[0];
    if (err) return { error: err.message.split('\n')[0] ?? 'a YAML error' };
  }
  return docs;
}

function objectNode(doc: Document.Parsed, objectPath: ObjectPath): unknown {
  return objectPath.length === 0 ? doc.contents : doc.getIn(objectPath, true);
}

function toJs(doc: Document.Parsed | undefined): unknown {
  return doc?.toJS({ maxAliasCount: 100 });
}

function objectJs(doc: Document.Parsed | undefined, objectPath: ObjectPath): unknown {
  let cur = toJs(doc);
  for (const k of objectPath) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = Reflect.get(cur, k);
  }
  return cur;
}

/**
 * Applies edits to one object of a YAML file by splicing new text in at the edited nodes' source
 * ranges, so comments, key order, quoting, indentation and every other document keep their bytes.
 * The result is parsed again and must read as the old document with exactly these edits applied.
 */
export function applyFieldEdits(target: EditTarget, edits: readonly FieldEdit[]): EditResult | Decline {
  const docs0 = parseDocuments(target.text);
  if (!Array.isArray(docs0)) return decline('unsupported', `the file does not parse as YAML: ${docs0.error}`);
  const doc0 = docs0[target.documentIndex];
  if (!doc0) return decline('unsupported', `the file has no document ${target.documentIndex}`);
  const before = objectJs(doc0, target.objectPath);
  const expected: unknown = structuredClone(before);
  let text = target.text;
  for (const e of edits) {
    const r = applyOne(text, target, e);
    if (isDecline(r)) return r;
    text = r.text;
    if (e.op === 'delete') deletePlain(expected, e.path);
    else if (e.op === 'append') {
      const cur = valueAt(expected, e.path);
      const items: unknown[] = cur.found && Array.isArray(cur.value) ? cur.value : [];
      if (!setPlain(expected, e.path, [...items, r.value]))
        return decline('unsupported', `cannot add to ${formatFieldPath(e.path)}`);
    } else if (!setPlain(expected, e.path, r.value))
      return decline('unsupported', `cannot set ${formatFieldPath(e.path)}`);
  }
  const docs1 = parseDocuments(text);
  if (!Array.isArray(docs1))
    return decline('invalid-result', `the edited file would not parse as YAML: ${docs1.error}`);
  const same =
    docs1.length === docs0.length &&
    docs0.every((d, i) => i === target.documentIndex || isDeepStrictEqual(toJs(d), toJs(docs1[i])));
  const after = objectJs(docs1[target.documentIndex], target.objectPath);
  if (!same || !isDeepStrictEqual(after, expected))
    return decline('invalid-result', 'the edit did not read back as intended; nothing was changed');
  return { text, before, after };
}

function applyOne(
  text: string,
  target: EditTarget,
  e: FieldEdit,
): { text: string; value: unknown } | Decline {
  const docs = parseDocuments(text);
  const doc = Array.isArray(docs) ? docs[target.documentIndex] : undefined;
  if (!doc) return decline('invalid-result', 'the file stopped parsing during the edit');
  const where = formatFieldPath(e.path);
  const r = resolveNode(objectNode(doc, target.objectPath), e.path);
  if (r.status === 'blocked') return decline('unsupported', `cannot edit ${where}: ${r.reason}`);
  if (e.op === 'delete')
    return r.status === 'missing' ? { text, value: undefined } : removePair(text, r, where);
  if (e.op === 'append') return appendItem(text, doc, r, e, where);
  if (r.status === 'found') return replaceScalar(text, r, e, where);
  const rest = e.path.slice(r.at);
  const keys = rest.flatMap((s) => (s.kind === 'key' ? [s.key] : []));
  if (keys.length !== rest.length)
    return decline('unsupported', `cannot create ${where}: Sleuth does not create list items`);
  const value = scalarText(e.value, undefined, e.quantity);
  const inserted = insertKeys(text, indentStep(text, doc.contents), r.slot, keys, value.text);
  return isDecline(inserted) ? inserted : { text: inserted, value: value.value };
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

type Found = Extract<Resolution, { status: 'found' }>;

function replaceScalar(
  text: string,
  r: Found,
  e: Extract<FieldEdit, { op: 'set' }>,
  where: string,
): { text: string; value: unknown } | Decline {
  const node: Node = r.node;
  if (!isScalar(node)) return decline('unsupported', `${where} holds a map or a list, not a single value`);
  if (node.anchor || node.tag || !node.range)
    return decline('unsupported', `${where} carries a YAML anchor or tag; edit it by hand`);
  if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED)
    return decline('unsupported', `${where} is a block of text (| or >); edit it by hand`);
  const out =
    e.plain && node.type === Scalar.PLAIN && typeof e.value === 'string' && readsAsItself(e.value)
      ? { text: e.value, value: e.value }
      : scalarText(e.value, node, e.quantity);
  if (isEmptyValue(node)) {
    const keyEnd = r.pair?.key && isScalar(r.pair.key) ? r.pair.key.range?.[1] : undefined;
    const colon = keyEnd === undefined ? -1 : text.indexOf(':', keyEnd);
    if (colon === -1) return decline('unsupported', `cannot find where ${where} is written`);
    return { text: splice(text, colon + 1, colon + 1, ` ${out.text}`), value: out.value };
  }
  return { text: splice(text, node.range[0], node.range[1], out.text), value: out.value };
}

/** Plain YAML text that parses back as exactly this string (no `: `, ` #`, flow or quote marks). */
function readsAsItself(value: string): boolean {
  if (!/^[A-Za-z0-9][A-Za-z0-9./_:@+-]*$/.test(value)) return false;
  try {
    return parse(value) === value;
  } catch {
    return false;
  }
}

function removePair(text: string, r: Found, where: string): { text: string; value: unknown } | Decline {
  const { pair, parent } = r;
  const keyStart = pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
  if (!pair || !parent || parent.flow || keyStart === undefined || !isScalar(pair.value) || !pair.value.range)
    return decline('unsupported', `cannot remove ${where}: only single values of block maps are removed`);
  if (parent.items.length === 1) return decline('unsupported', `removing ${where} would leave an empty map`);
  const lineStart = text.lastIndexOf('\n', keyStart - 1) + 1;
  if (text.slice(lineStart, keyStart).trim() !== '')
    return decline('unsupported', `cannot remove ${where}: it shares its line with another item`);
  return { text: splice(text, lineStart, nextLineStart(text, pair.value.range[1]), ''), value: undefined };
}

function insertKeys(
  text: string,
  step: number,
  slot: MissingSlot,
  keys: readonly string[],
  value: string,
): string | Decline {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const block = (col: number): string =>
    keys
      .map((k, j) => `${' '.repeat(col + j * step)}${keyText(k)}:${j === keys.length - 1 ? ` ${value}` : ''}`)
      .join(eol) + eol;
  if (slot.kind === 'empty-value') {
    const key = slot.pair.key;
    if (!isScalar(key) || !key.range) return decline('unsupported', 'cannot find where to add the field');
    const at = nextLineStart(text, key.range[1]);
    const pre = at === text.length && !text.endsWith('\n') ? eol : '';
    return splice(text, at, at, pre + block(columnOf(text, key.range[0]) + step));
  }
  const map = slot.map;
  if (!map.range) return decline('unsupported', 'cannot find where to add the field');
  if (map.flow) {
    let inner = `${keyText(keys[keys.length - 1] ?? '')}: ${value}`;
    for (let j = keys.length - 2; j >= 0; j--) inner = `${keyText(keys[j] ?? '')}: {${inner}}`;
    const last = map.items[map.items.length - 1];
    const lastValue: unknown = last?.value;
    const lastEnd = isValueNode(lastValue) ? lastValue.range?.[1] : undefined;
    if (lastEnd !== undefined) return splice(text, lastEnd, lastEnd, `, ${inner}`);
    const close = map.range[1] - 1;
    if (text[close] !== '}') return decline('unsupported', 'cannot find the end of a flow map');
    return splice(text, close, close, inner);
  }
  const first = map.items[0]?.key;
  if (!isScalar(first) || !first.range) return decline('unsupported', 'cannot find the indentation to use');
  const at = nextLineStart(text, map.range[1]);
  const pre = at === text.length && !text.endsWith('\n') ? eol : '';
  return splice(text, at, at, pre + block(columnOf(text, first.range[0])));
}
