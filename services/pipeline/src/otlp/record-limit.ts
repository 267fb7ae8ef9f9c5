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
 * the entries counted are built (for protobuf by wire-limits.ts, for JSON by json-reader.ts). One
 * instance per request.
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
