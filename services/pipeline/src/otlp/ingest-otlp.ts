import { emptyBatch, type SignalBatch } from '@sleuth/core';
import { normaliseLogs } from '../stages/log-records';
import { normaliseMetrics } from '../stages/metric-points';
import { redactBatch } from '../stages/redact-batch';
import { Rejections } from '../stages/rejections';
import { normaliseSpans } from '../stages/span-records';
import { decodeLogs, decodeMetrics, decodeTraces, type OtlpEncoding, type OtlpSignal } from './otlp-decode';

/** Per-request settings for ingestOtlp. */
export interface IngestContext {
  /** Cluster for records whose resource has no k8s.cluster.name. */
  defaultCluster: string;
  /** Whether to mask secrets in bodies, attributes, messages and objects (Secret values are always masked). */
  redact: boolean;
  /** When the request arrived, epoch ms: the fallback for missing times and the reference for future ones. */
  receivedMs: number;
  /**
   * Most records (log records, data points or spans) in the request, and most resources, scopes and
   * metrics: `ingest.maxRecordsPerRequest`. Counted while the body is decoded, before records are
   * built; past it the request fails with PayloadTooLargeError (413). Unset: no limit.
   */
  maxRecords?: number;
}

/** What one OTLP export request yields. */
export interface IngestResult {
  /** The good records, normalised and redacted. */
  batch: SignalBatch;
  /** Records dropped as invalid, counted per OTLP unit: log records, data points or spans. */
  rejected: number;
  /** Distinct human-readable reasons naming the problem and where, at most 10. */
  rejectionReasons: string[];
}

/**
 * Decodes, validates, normalises and redacts one OTLP/HTTP export request body (already
 * decompressed). Throws DecodeError when the body cannot be decoded at all (bad JSON/protobuf),
 * ValidationError when its top-level shape is wrong, PayloadTooLargeError when it holds more than
 * `ctx.maxRecords` records. Invalid records are dropped and counted; one bad
 * record never loses the others. Synchronous and CPU-bound; it keeps no state between calls.
 */
export function ingestOtlp(
  signal: OtlpSignal,
  encoding: OtlpEncoding,
  body: Uint8Array,
  ctx: IngestContext,
): IngestResult {
  const batch = emptyBatch();
  const rejections = new Rejections(signal);
  switch (signal) {
    case 'logs':
      normaliseLogs(decodeLogs(encoding, body, ctx.maxRecords), ctx, batch, rejections);
      break;
    case 'metrics':
      normaliseMetrics(decodeMetrics(encoding, body, ctx.maxRecords), ctx, batch, rejections);
      break;
    case 'traces':
      normaliseSpans(decodeTraces(encoding, body, ctx.maxRecords), ctx, batch, rejections);
      break;
  }
  if (ctx.redact) redactBatch(batch);
  return { batch, rejected: rejections.count, rejectionReasons: rejections.reasons() };
}
