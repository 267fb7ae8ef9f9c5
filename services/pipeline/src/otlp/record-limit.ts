import { PayloadTooLargeError } from '@sleuth/core';
import type { OtlpSignal } from './otlp-decode';

/**
 * What a request's entries are counted as: its resources, scopes and metrics, its records (log
 * records, metric data points or spans), and the values inside metric data points that each become
 * a stored sample or an array element (histogram bucket counts and bounds, summary quantiles). An
 * empty entry costs two bytes of protobuf and a few hundred bytes of heap once decoded, so each kind
 * is bounded, not only the records.
 */
export type EntryKind = 'resources' | 'scopes' | 'metrics' | 'records' | 'values';

/**
 * Values allowed per record allowed: a histogram point carries a bucket count and a bound per bucket
 * (the OpenTelemetry SDKs' default has 16 buckets), so a batch at the record limit of histograms of
 * a few buckets each stays well inside it.
 */
export const VALUES_PER_RECORD = 10;

const NAMES: Record<OtlpSignal, Record<EntryKind, string>> = {
  logs: {
    resources: 'resourceLogs entries',
    scopes: 'scopeLogs entries',
    metrics: 'metrics',
    records: 'log records',
    values: 'values',
  },
  metrics: {
    resources: 'resourceMetrics entries',
    scopes: 'scopeMetrics entries',
    metrics: 'metrics',
    records: 'data points',
    values: 'histogram bucket counts and bounds and summary quantiles',
  },
  traces: {
    resources: 'resourceSpans entries',
    scopes: 'scopeSpans entries',
    metrics: 'metrics',
    records: 'spans',
    values: 'values',
  },
};

/**
 * The records-per-request limit (`ingest.maxRecordsPerRequest`) of one request: at most `max`
 * records, at most as many resources, scopes and metrics, and at most VALUES_PER_RECORD × `max`
 * histogram bucket counts and bounds and summary quantiles. Counted while the body is read, before
 * the entries counted are built (for protobuf by wire-limits.ts, for JSON by json-reader.ts). One
 * instance per request.
 */
export class RecordLimit {
  private readonly counts: Record<EntryKind, number> = {
    resources: 0,
    scopes: 0,
    metrics: 0,
    records: 0,
    values: 0,
  };

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
    const values = kind === 'values';
    const max = values ? this.max * VALUES_PER_RECORD : this.max;
    if (count > max) {
      throw new PayloadTooLargeError(
        `the request holds more than ${max} ${NAMES[this.signal][kind]} (${values ? `${VALUES_PER_RECORD} × ` : ''}ingest.maxRecordsPerRequest); send smaller batches (the Collector's batch processor: send_batch_max_size)`,
        { signal: this.signal, maxRecords: this.max },
      );
    }
  }
}
