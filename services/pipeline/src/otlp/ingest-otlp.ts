import { emptyBatch, type SignalBatch } from '@sleuth/core';
import { LimitCounts, type AttributeLimits } from './attribute-limits';
import { normaliseLogs } from '../stages/log-records';
import { normaliseMetrics } from '../stages/metric-points';
import { redactBatch } from '../stages/redact-batch';
import { Rejections } from '../stages/rejections';
import { normaliseSpans } from '../stages/span-records';
import {
  decodeLogs,
  decodeMetrics,
  decodeTraces,
  type DecodeLimits,
  type OtlpEncoding,
  type OtlpSignal,
} from './otlp-decode';

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
  /**
   * What one record may carry (`ingest.maxAttributesPerRecord`, `maxAttributeValueBytes`,
   * `maxAttributeDepth`, `maxEventsPerSpan`): attributes and span events past them are dropped,
   * longer or deeper values cut, all of it counted in `limited`; the record is kept. Enforced while
   * the body is decoded, so what is past them is never built from protobuf. Unset: no limits.
   */
  limits?: AttributeLimits;
}

/** What the attribute limits cut from one request. */
export interface LimitedCounts {
  /** Attributes dropped past `maxAttributes` (top-level pairs; a resource's count once). */
  droppedAttributes: number;
  /** Attribute values cut: a string or byte array shortened, array or map elements dropped. */
  truncatedValues: number;
  /** Span events dropped past `maxEvents`. */
  droppedEvents: number;
}

/** What one OTLP export request yields. */
export interface IngestResult {
  /** The good records, normalised and redacted. */
  batch: SignalBatch;
  /** Records dropped as invalid, counted per OTLP unit: log records, data points or spans. */
  rejected: number;
  /** Distinct human-readable reasons naming the problem and where, at most 10. */
  rejectionReasons: string[];
  /** What the attribute limits cut; all zero without `ctx.limits`. */
  limited: LimitedCounts;
  /**
   * What the attribute limits cut, naming them, for the sender: OTLP's partial success carries it
   * with nothing rejected. Absent when nothing was cut.
   */
  limitWarning?: string;
}

/**
 * Decodes, validates, normalises and redacts one OTLP/HTTP export request body (already
 * decompressed). Throws DecodeError when the body cannot be decoded at all (bad JSON/protobuf),
 * ValidationError when its top-level shape is wrong, PayloadTooLargeError when it holds more than
 * `ctx.maxRecords` records. Invalid records are dropped and counted; one bad
 * record never loses the others. What is past `ctx.limits` is dropped or cut and counted, never
 * rejected. Synchronous and CPU-bound; it keeps no state between calls.
 */
export function ingestOtlp(
  signal: OtlpSignal,
  encoding: OtlpEncoding,
  body: Uint8Array,
  ctx: IngestContext,
): IngestResult {
  const batch = emptyBatch();
  const rejections = new Rejections(signal);
  const counts = new LimitCounts();
  const limits: DecodeLimits = {
    ...(ctx.maxRecords === undefined ? {} : { maxRecords: ctx.maxRecords }),
    ...(ctx.limits === undefined ? {} : { attributes: { limits: ctx.limits, counts } }),
  };
  switch (signal) {
    case 'logs':
      normaliseLogs(decodeLogs(encoding, body, limits), ctx, batch, rejections);
      break;
    case 'metrics':
      normaliseMetrics(decodeMetrics(encoding, body, limits), ctx, batch, rejections);
      break;
    case 'traces':
      normaliseSpans(decodeTraces(encoding, body, limits), ctx, batch, rejections);
      break;
  }
  if (ctx.redact) redactBatch(batch);
  const { droppedAttributes, truncatedValues, droppedEvents } = counts;
  const warning = ctx.limits === undefined ? undefined : counts.warning(ctx.limits);
  return {
    batch,
    rejected: rejections.count,
    rejectionReasons: rejections.reasons(),
    limited: { droppedAttributes, truncatedValues, droppedEvents },
    ...(warning === undefined ? {} : { limitWarning: `${signal}: ${warning}` }),
  };
}
