import protobuf from 'protobufjs';
import { LimitCounts, NO_ATTRIBUTE_LIMITS, utf8Boundary, type AttributeLimits } from './attribute-limits';
import type { OtlpSignal } from './otlp-decode';
import type { EntryKind, RecordLimit } from './record-limit';

/**
 * The limits of one protobuf request, applied to the wire before protobufjs decodes it: the
 * records per request (counted; past it PayloadTooLargeError) and the attribute limits (what is
 * past them is cut out of the bytes). One walk over the body does both, reading it as protobufjs's
 * generated decoders do: a nested message ends exactly at its length, a field of another wire type
 * than its schema's is skipped, every other field is skipped with `skipType`. So the walk reads the
 * fields protobufjs reads, at the same offsets, and what it cuts protobufjs never builds.
 */

/** A message on the way from the request to its attributes: the fields that lead on, by number. */
interface Level {
  readonly [field: number]: Step;
}

/** A length-delimited field of a Level. */
interface Step {
  /** Counted against the record limit as this. */
  readonly kind?: EntryKind;
  /** A message walked into. */
  readonly next?: Level;
  /**
   * A non-repeated message field (a resource), which protobufjs merges with its earlier
   * occurrences: its attribute count goes on across them.
   */
  readonly merged?: true;
  /** A KeyValue of the enclosing message's attribute collection. */
  readonly attribute?: true;
  /** A span event. */
  readonly event?: true;
  /**
   * A repeated fixed64 or double (a histogram's bucket counts and bounds): each element counts as a
   * `values` entry, packed (one length-delimited field of 8 bytes each) or not (wire type 1 each).
   */
  readonly fixed64s?: true;
}

const ATTRIBUTE: Step = { attribute: true };
const RESOURCE: Level = { 1: ATTRIBUTE };
const LOG_RECORD: Level = { 6: ATTRIBUTE };
const SPAN: Level = { 9: ATTRIBUTE, 11: { event: true, next: { 3: ATTRIBUTE } } };
const NUMBER_POINT: Level = { 7: ATTRIBUTE };
const HISTOGRAM_POINT: Level = { 9: ATTRIBUTE };
const EXPONENTIAL_POINT: Level = { 1: ATTRIBUTE };
const SUMMARY_POINT: Level = { 7: ATTRIBUTE };
/** What of a data point becomes a sample each: bucket counts and bounds, quantiles. */
const FIXED64S: Step = { fixed64s: true };
const HISTOGRAM_VALUES: Level = { 6: FIXED64S, 7: FIXED64S };
const SUMMARY_VALUES: Level = { 6: { kind: 'values' } };

/**
 * The paths to what is counted and limited, per signal. Without attribute limits the walk stops
 * at the records (it only counts them); with them it goes into resources, records and events.
 */
function paths(attributes: boolean): Record<OtlpSignal, Level> {
  const into = (kind: EntryKind, next: Level): Step => (attributes ? { kind, next } : { kind });
  // Data points are walked into for their values even when attributes are not limited.
  const point = (fields: Level, values?: Level): Step =>
    attributes
      ? { kind: 'records', next: { ...fields, ...values } }
      : values
        ? { kind: 'records', next: values }
        : { kind: 'records' };
  const resource: Level = attributes ? { 1: { merged: true, next: RESOURCE } } : {};
  const scoped = (items: Level): Level => ({
    1: { kind: 'resources', next: { ...resource, 2: { kind: 'scopes', next: items } } },
  });
  const points = (p: Step): Step => ({ next: { 1: p } });
  // Metric's data oneof: gauge, sum, histogram, exponential_histogram, summary.
  const metric: Level = {
    5: points(point(NUMBER_POINT)),
    7: points(point(NUMBER_POINT)),
    9: points(point(HISTOGRAM_POINT, HISTOGRAM_VALUES)),
    10: points(point(EXPONENTIAL_POINT)),
    11: points(point(SUMMARY_POINT, SUMMARY_VALUES)),
  };
  // ExportLogsServiceRequest and ExportTraceServiceRequest share their field numbers.
  return {
    logs: scoped({ 2: into('records', LOG_RECORD) }),
    traces: scoped({ 2: into('records', SPAN) }),
    metrics: scoped({ 2: { kind: 'metrics', next: metric } }),
  };
}

const COUNT_ONLY = paths(false);
const WITH_ATTRIBUTES = paths(true);

/** Bytes `[start, end)` of the body replaced by `bytes` (none: deleted). */
interface Splice {
  start: number;
  end: number;
  bytes?: Uint8Array;
}

/** One walk over one body. */
interface Walk {
  readonly r: protobuf.Reader;
  readonly buf: Uint8Array;
  readonly records: RecordLimit;
  readonly limits: AttributeLimits;
  readonly counts: LimitCounts;
  readonly splices: Splice[];
  /** The attribute being walked (one at a time). */
  readonly cap: Cap;
}

/** Attributes and events counted in one message (a resource: across its merged occurrences). */
interface Counted {
  attributes: number;
  events: number;
}

/** One attribute's value: elements it may still hold (all levels) and whether anything was cut. */
interface Cap {
  elements: number;
  cut: boolean;
}

function varint(n: number): Uint8Array {
  const out: number[] = [];
  for (let v = n; ; v = Math.floor(v / 128)) {
    out.push(v < 128 ? v : (v % 128) | 0x80);
    if (v < 128) return Uint8Array.from(out);
  }
}

/** Deletes `[start, end)`; returns the bytes deleted. Neighbouring deletions become one. */
function drop(w: Walk, start: number, end: number): number {
  const last = w.splices.at(-1);
  if (last !== undefined && last.bytes === undefined && last.end === start) last.end = end;
  else w.splices.push({ start, end });
  return end - start;
}

/** Reads a length-delimited field's length; returns where its content ends (it starts at `r.pos`). */
function contentEnd(r: protobuf.Reader): number {
  const len = r.size();
  const end = r.pos + len;
  if (end > r.len) throw new RangeError('index out of range');
  return end;
}

/** Limits the reader to a nested message ending at `end`; returns the limit to restore. */
function enter(w: Walk, end: number): number {
  const outer = w.r.len;
  w.r.len = end;
  return outer;
}

/**
 * Leaves the nested message `[from, end)` whose length prefix starts at `lenAt`, walked with
 * `delta` as the change in its length; when it changed, rewrites the prefix. Returns how much the
 * field grew (negative: shrank).
 */
function leave(w: Walk, outer: number, lenAt: number, from: number, end: number, delta: number): number {
  w.r.len = outer;
  w.r.pos = end;
  if (delta === 0) return 0;
  const prefix = varint(end - from + delta);
  w.splices.push({ start: lenAt, end: from, bytes: prefix });
  return delta + prefix.length - (from - lenAt);
}

function walkMessage(w: Walk, level: Level, depth: number, counted: Counted): number {
  const { r, limits, counts } = w;
  let delta = 0;
  let merged: Map<number, Counted> | undefined;
  while (r.pos < r.len) {
    const start = r.pos;
    const tag = r.tag();
    const wire = tag & 7;
    const field = tag >>> 3;
    const fixed = level[field]?.fixed64s === true;
    if (fixed && wire === 1) {
      w.records.add('values');
      r.skipType(wire, depth, field);
      continue;
    }
    const step = wire === 2 ? level[field] : undefined;
    if (step === undefined) {
      r.skipType(wire, depth, field);
      continue;
    }
    const lenAt = r.pos;
    const end = contentEnd(r);
    const from = r.pos;
    if (fixed) {
      w.records.add('values', Math.floor((end - from) / 8));
      r.pos = end;
      continue;
    }
    if (step.kind !== undefined) w.records.add(step.kind);
    if (step.attribute) {
      if (counted.attributes >= limits.maxAttributes) {
        counts.droppedAttributes++;
        delta -= drop(w, start, end);
        r.pos = end;
        continue;
      }
      counted.attributes++;
      const cap = w.cap;
      cap.elements = limits.maxAttributes;
      cap.cut = false;
      const outer = enter(w, end);
      delta += leave(w, outer, lenAt, from, end, walkKeyValue(w, depth + 1, 1, cap));
      if (cap.cut) counts.truncatedValues++;
      continue;
    }
    if (step.event) {
      if (counted.events >= limits.maxEvents) {
        counts.droppedEvents++;
        delta -= drop(w, start, end);
        r.pos = end;
        continue;
      }
      counted.events++;
    }
    const next = step.next;
    if (next === undefined) {
      r.pos = end;
      continue;
    }
    let inner: Counted = { attributes: 0, events: 0 };
    if (step.merged) {
      merged ??= new Map();
      inner = merged.get(field) ?? inner;
      merged.set(field, inner);
    }
    const outer = enter(w, end);
    delta += leave(w, outer, lenAt, from, end, walkMessage(w, next, depth + 1, inner));
  }
  return delta;
}

/** A KeyValue whose value is at nesting `level` (1: an attribute's own value). */
function walkKeyValue(w: Walk, depth: number, level: number, cap: Cap): number {
  const r = w.r;
  let delta = 0;
  while (r.pos < r.len) {
    const tag = r.tag();
    if (tag !== ((2 << 3) | 2)) {
      r.skipType(tag & 7, depth, tag >>> 3);
      continue;
    }
    const lenAt = r.pos;
    const end = contentEnd(r);
    const from = r.pos;
    const outer = enter(w, end);
    delta += leave(w, outer, lenAt, from, end, walkAnyValue(w, depth + 1, level, cap));
  }
  return delta;
}

const STRING = 1;
const ARRAY = 5;
const KVLIST = 6;
const BYTES = 7;

/** How deep protobufjs decodes messages; deeper bodies fail there, and here before the stack does. */
const MAX_DEPTH = 100;

/** An AnyValue at nesting `level`: long strings and byte arrays cut, arrays and maps walked. */
function walkAnyValue(w: Walk, depth: number, level: number, cap: Cap): number {
  const { r, buf, limits } = w;
  if (depth > MAX_DEPTH) throw new Error('max depth exceeded');
  let delta = 0;
  while (r.pos < r.len) {
    const tag = r.tag();
    const field = tag >>> 3;
    if ((tag & 7) !== 2 || (field !== STRING && field !== ARRAY && field !== KVLIST && field !== BYTES)) {
      r.skipType(tag & 7, depth, field);
      continue;
    }
    const lenAt = r.pos;
    const end = contentEnd(r);
    const from = r.pos;
    if (field === STRING || field === BYTES) {
      r.pos = end;
      if (end - from <= limits.maxValueBytes) continue;
      const keep =
        (field === STRING ? utf8Boundary(buf, from, limits.maxValueBytes) : from + limits.maxValueBytes) -
        from;
      const bytes = Buffer.concat([varint(keep), buf.subarray(from, from + keep)]);
      w.splices.push({ start: lenAt, end, bytes });
      delta += bytes.length - (end - lenAt);
      cap.cut = true;
    } else if (level >= limits.maxDepth) {
      r.pos = end;
      if (end === from) continue;
      w.splices.push({ start: lenAt, end, bytes: Uint8Array.of(0) });
      delta += 1 - (end - lenAt);
      cap.cut = true;
    } else {
      const outer = enter(w, end);
      const elements = walkElements(w, depth + 1, level + 1, cap, field === KVLIST);
      delta += leave(w, outer, lenAt, from, end, elements);
    }
  }
  return delta;
}

/** An ArrayValue's values or a KeyValueList's entries, at nesting `level`, while the cap allows. */
function walkElements(w: Walk, depth: number, level: number, cap: Cap, entries: boolean): number {
  const r = w.r;
  let delta = 0;
  while (r.pos < r.len) {
    const start = r.pos;
    const tag = r.tag();
    if (tag !== ((1 << 3) | 2)) {
      r.skipType(tag & 7, depth, tag >>> 3);
      continue;
    }
    const lenAt = r.pos;
    const end = contentEnd(r);
    const from = r.pos;
    if (cap.elements <= 0) {
      cap.cut = true;
      delta -= drop(w, start, end);
      r.pos = end;
      continue;
    }
    cap.elements--;
    const outer = enter(w, end);
    const inner = entries ? walkKeyValue(w, depth + 1, level, cap) : walkAnyValue(w, depth + 1, level, cap);
    delta += leave(w, outer, lenAt, from, end, inner);
  }
  return delta;
}

/** The body with every splice applied (they do not overlap). */
function applySplices(body: Buffer, splices: Splice[]): Buffer {
  splices.sort((a, b) => a.start - b.start);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const s of splices) {
    parts.push(body.subarray(at, s.start));
    if (s.bytes !== undefined) parts.push(s.bytes);
    at = s.end;
  }
  parts.push(body.subarray(at));
  return Buffer.concat(parts);
}

/**
 * Counts the resources, scopes, metrics and records of a protobuf export request against
 * `records` (PayloadTooLargeError past it, before anything is built) and, with `limits`, cuts
 * what is past the attribute limits out of the bytes, counting it in `counts`. Returns the body to
 * decode: `body` itself when nothing was cut, else a copy without the cut parts. Throws the
 * reader's own error for bytes that are not protobuf (which protobufjs would refuse too).
 */
export function limitPbRequest(
  signal: OtlpSignal,
  body: Buffer,
  records: RecordLimit,
  limited?: { limits: AttributeLimits; counts: LimitCounts },
): Buffer {
  if (!records.bounded && limited === undefined) return body;
  const r = protobuf.Reader.create(body);
  const w: Walk = {
    r,
    buf: body,
    records,
    limits: limited?.limits ?? NO_ATTRIBUTE_LIMITS,
    counts: limited?.counts ?? new LimitCounts(),
    splices: [],
    cap: { elements: 0, cut: false },
  };
  const path = (limited === undefined ? COUNT_ONLY : WITH_ATTRIBUTES)[signal];
  walkMessage(w, path, 0, { attributes: 0, events: 0 });
  return w.splices.length === 0 ? body : applySplices(body, w.splices);
}
