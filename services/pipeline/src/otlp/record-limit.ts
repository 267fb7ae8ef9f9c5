import protobuf from 'protobufjs';
import { PayloadTooLargeError } from '@sleuth/core';
import type { OtlpSignal } from './otlp-decode';

/**
 * What a request's entries are counted as: its resources, scopes and metrics, and its records (log
 * records, metric data points or spans). An empty entry costs two bytes of protobuf and a few hundred
 * bytes of heap once decoded, so each kind is bounded, not only the records.
 */
export type EntryKind = 'resources' | 'scopes' | 'metrics' | 'records';

const NAMES: Record<OtlpSignal, Record<EntryKind, string>> = {
  logs: {
    resources: 'resourceLogs entries',
    scopes: 'scopeLogs entries',
    metrics: 'metrics',
    records: 'log records',
  },
  metrics: {
    resources: 'resourceMetrics entries',
    scopes: 'scopeMetrics entries',
    metrics: 'metrics',
    records: 'data points',
  },
  traces: {
    resources: 'resourceSpans entries',
    scopes: 'scopeSpans entries',
    metrics: 'metrics',
    records: 'spans',
  },
};

/**
 * The records-per-request limit (`ingest.maxRecordsPerRequest`) of one request: at most `max`
 * records, and at most as many resources, scopes and metrics. Counted while the body is read, before
 * the entries counted are built. One instance per request.
 */
export class RecordLimit {
  private readonly counts: Record<EntryKind, number> = { resources: 0, scopes: 0, metrics: 0, records: 0 };

  /** `max` Infinity counts nothing and never throws. */
  constructor(
    private readonly signal: OtlpSignal,
    readonly max: number,
  ) {}

  /** Whether anything is counted at all. */
  get bounded(): boolean {
    return Number.isFinite(this.max);
  }

  /** Counts `n` more entries of one kind; throws PayloadTooLargeError (413) once they pass `max`. */
  add(kind: EntryKind, n = 1): void {
    const count = (this.counts[kind] += n);
    if (count > this.max) {
      throw new PayloadTooLargeError(
        `the request holds more than ${this.max} ${NAMES[this.signal][kind]} (ingest.maxRecordsPerRequest); send smaller batches (the Collector's batch processor: send_batch_max_size)`,
        { signal: this.signal, maxRecords: this.max },
      );
    }
  }
}

/** A message on the way from the request to its records: its fields that lead on, by number. */
interface Level {
  readonly [field: number]: Step;
}
/** A length-delimited field counted as `kind` (when set), and walked into when it leads further. */
interface Step {
  readonly kind?: EntryKind;
  readonly next?: Level;
}

const RECORDS: Level = { 2: { kind: 'records' } };
const POINTS: Level = { 1: { kind: 'records' } };
/** Metric's data oneof: gauge, sum, histogram, exponential_histogram, summary. */
const METRIC: Level = {
  5: { next: POINTS },
  7: { next: POINTS },
  9: { next: POINTS },
  10: { next: POINTS },
  11: { next: POINTS },
};

/** ExportLogsServiceRequest and ExportTraceServiceRequest share their field numbers; metrics go a level deeper. */
const REQUESTS: Record<OtlpSignal, Level> = {
  logs: { 1: { kind: 'resources', next: { 2: { kind: 'scopes', next: RECORDS } } } },
  traces: { 1: { kind: 'resources', next: { 2: { kind: 'scopes', next: RECORDS } } } },
  metrics: {
    1: { kind: 'resources', next: { 2: { kind: 'scopes', next: { 2: { kind: 'metrics', next: METRIC } } } } },
  },
};

/**
 * Walks the message the reader is limited to (`r.len` is its end), counting entries. It reads the
 * wire as protobufjs's generated decoders do: a nested message ends exactly at its length (the
 * reader is limited to it meanwhile), a field of another wire type than its schema's is skipped, and
 * every other field is skipped with `skipType`. So whenever protobufjs decodes a body, this walk
 * reads the same fields at the same offsets and counts exactly the entries protobufjs builds.
 */
function walk(r: protobuf.Reader, level: Level, depth: number, limit: RecordLimit): void {
  while (r.pos < r.len) {
    const tag = r.tag();
    const wire = tag & 7;
    const field = tag >>> 3;
    const step = wire === 2 ? level[field] : undefined;
    if (step === undefined) {
      r.skipType(wire, depth, field);
      continue;
    }
    const end = r.size() + r.pos;
    if (end > r.len) throw new RangeError('index out of range');
    if (step.kind !== undefined) limit.add(step.kind);
    if (step.next === undefined) {
      r.pos = end;
    } else {
      const outer = r.len;
      r.len = end;
      walk(r, step.next, depth + 1, limit);
      r.len = outer;
    }
  }
}

/**
 * Counts the resources, scopes, metrics and records of a protobuf export request without building
 * any of them, so that a body of millions of empty records is refused before protobufjs allocates
 * them. Throws PayloadTooLargeError past the limit, and the reader's own error for bytes that are
 * not protobuf (which protobufjs would refuse too).
 */
export function countPbEntries(signal: OtlpSignal, body: Buffer, limit: RecordLimit): void {
  if (!limit.bounded) return;
  walk(protobuf.Reader.create(body), REQUESTS[signal], 0, limit);
}
