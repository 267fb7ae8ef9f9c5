import { isMap, isScalar, isSeq, type Document } from 'yaml';
import { decline, isDecline, type Decline } from '../decline';
import { keyText, scalarText } from './scalar-text';
import type { FieldEdit } from './yaml-edit';
import { columnOf, isEmptyValue, nextLineStart, sequenceIndent, type Resolution } from './yaml-nodes';

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

type Append = Extract<FieldEdit, { op: 'append' }>;

/** The item as block-map lines: the first after `- `, the rest at the keys' column. */
function itemLines(
  e: Append,
  dashCol: number,
  keyCol: number,
  eol: string,
): { text: string; value: unknown } | Decline {
  const entries = Object.entries(e.item);
  if (entries.length === 0) return decline('unsupported', 'cannot add an empty list item');
  const control = (ch: string): boolean => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f;
  if (e.comment !== undefined && (e.comment.length > 200 || [...e.comment].some(control)))
    return decline('unsupported', 'a comment must be one line of text');
  const value: Record<string, unknown> = {};
  const lines = entries.map(([k, v], i) => {
    const out = scalarText(v, undefined);
    value[k] = out.value;
    const lead = i === 0 ? `${' '.repeat(dashCol)}-${' '.repeat(keyCol - dashCol - 1)}` : ' '.repeat(keyCol);
    const note = i === entries.length - 1 && e.comment !== undefined ? ` # ${e.comment}` : '';
    return `${lead}${keyText(k)}: ${out.text}${note}`;
  });
  return { text: lines.join(eol) + eol, value };
}

/**
 * Appends a map to a block sequence of maps, at the columns of its items' dashes and keys, or
 * creates the sequence under a missing or empty key in the document's sequence indentation.
 * Flow sequences (`env: []`), sequences of scalars and items written across lines are declined.
 */
export function appendItem(
  text: string,
  doc: Document.Parsed,
  r: Exclude<Resolution, { status: 'blocked' }>,
  e: Append,
  where: string,
): { text: string; value: unknown } | Decline {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const at = (offset: number, insert: string) => {
    const pre = offset === text.length && !text.endsWith('\n') ? eol : '';
    return splice(text, offset, offset, pre + insert);
  };
  if (r.status === 'found' && isEmptyValue(r.node) && r.pair)
    return appendItem(
      text,
      doc,
      { status: 'missing', at: e.path.length, slot: { kind: 'empty-value', pair: r.pair } },
      e,
      where,
    );
  if (r.status === 'found') {
    const seq = r.node;
    if (!isSeq(seq) || seq.flow)
      return decline('unsupported', `cannot add to ${where}: it is not a block list`);
    const first = seq.items[0];
    const last = seq.items[seq.items.length - 1];
    if (!isMap(first) || !isMap(last) || first.flow || !first.range || !last.range)
      return decline('unsupported', `cannot add to ${where}: its items are not block maps`);
    const lineStart = text.lastIndexOf('\n', first.range[0] - 1) + 1;
    const lead = /^( *)- +$/.exec(text.slice(lineStart, first.range[0]));
    if (!lead?.[1] && lead?.[1] !== '')
      return decline('unsupported', `cannot add to ${where}: its items are not written as "- key: value"`);
    const lines = itemLines(e, lead[1].length, columnOf(text, first.range[0]), eol);
    if (isDecline(lines)) return lines;
    return { text: at(nextLineStart(text, last.range[1]), lines.text), value: lines.value };
  }
  const indent = sequenceIndent(text, doc.contents);
  if (r.slot.kind === 'empty-value' && r.at === e.path.length) {
    const key = r.slot.pair.key;
    if (!isScalar(key) || !key.range) return decline('unsupported', `cannot find where ${where} is written`);
    const dashCol = columnOf(text, key.range[0]) + indent;
    const lines = itemLines(e, dashCol, dashCol + 2, eol);
    if (isDecline(lines)) return lines;
    return { text: at(nextLineStart(text, key.range[1]), lines.text), value: lines.value };
  }
  const rest = e.path.slice(r.at);
  const name = rest[0];
  if (rest.length !== 1 || name?.kind !== 'key' || r.slot.kind !== 'map')
    return decline('unsupported', `cannot create ${where}: only the list's own key is created`);
  const map = r.slot.map;
  const firstKey = map.items[0]?.key;
  if (map.flow || !map.range || !isScalar(firstKey) || !firstKey.range)
    return decline('unsupported', `cannot create ${where}: its parent is not a block map`);
  const keyCol = columnOf(text, firstKey.range[0]);
  const lines = itemLines(e, keyCol + indent, keyCol + indent + 2, eol);
  if (isDecline(lines)) return lines;
  const block = `${' '.repeat(keyCol)}${keyText(name.key)}:${eol}${lines.text}`;
  return { text: at(nextLineStart(text, map.range[1]), block), value: lines.value };
}
