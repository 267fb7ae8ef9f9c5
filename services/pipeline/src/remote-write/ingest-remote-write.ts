import { emptyBatch, type MetricPoint, type SignalBatch } from '@sleuth/core';
import { MAX_FUTURE_MS } from '../stages/record-checks';
import { Rejections } from '../stages/rejections';
import type { MetricFamilies } from './metric-families';
import { seriesIdentity, type ClusterRule } from './series-labels';
import { decodeWriteRequest, MAX_SERIES_LABELS, type WriteRequestLimits } from './write-request';

/** Per-request settings for ingestRemoteWrite. */
export interface RemoteWriteContext extends WriteRequestLimits {
  /** How a series' cluster is found: its cluster label, else the fallback. */
  cluster: ClusterRule;
  /** When the request arrived, epoch ms: the reference for timestamps from the future. */
  receivedMs: number;
  /** The receiver's metadata memory; this request's metadata is added to it. */
  families: MetricFamilies;
}

/** What was left out of a request without being an error. */
export interface RemoteWriteSkipped {
  /** Staleness markers: Prometheus saying a series ended, not a value. */
  staleMarkers: number;
  /** NaN (other than the staleness marker) and ±Inf values, which Sleuth's series cannot hold. */
  nonFinite: number;
  /** Exemplars and native histograms, which Sleuth does not store. */
  exemplars: number;
  histograms: number;
}

/** What one remote write request yields. */
export interface RemoteWriteResult {
  /** The samples to store, as metric points. */
  batch: SignalBatch;
  /** Samples in the request, stale markers included. */
  samples: number;
  /** Samples dropped as invalid: every sample of a series with a bad label set, and bad timestamps. */
  rejected: number;
  /** Distinct human-readable reasons naming the problem and the series, at most 10. */
  rejectionReasons: string[];
  skipped: RemoteWriteSkipped;
  /** Metadata entries in the request. */
  metadata: number;
}

function timeProblem(ms: number, receivedMs: number): string | undefined {
  if (ms < 0) return 'a sample timestamp is before 1970';
  if (ms > receivedMs + MAX_FUTURE_MS)
    return "a sample timestamp is more than 1 day ahead of the receiver's clock";
  return undefined;
}

const where = (i: number, labels: readonly [string, string][]): string => {
  const name = labels.find(([k]) => k === '__name__')?.[1];
  return `timeseries[${i}]${name === undefined || name === '' ? '' : ` (${name.slice(0, 80)})`}`;
};

/**
 * Decodes one Prometheus remote write 1.0 request body (snappy-compressed protobuf WriteRequest) into
 * metric points: `__name__` is the name, the labels are the point labels, the source comes from the
 * cluster, namespace, pod, container, node and workload labels; the type comes from metadata this
 * receiver has seen, else from the name. Throws DecodeError when the body cannot be read at all and
 * PayloadTooLargeError past the limits; a series with an invalid label set or a sample with a bad
 * timestamp is left out and counted, never failing the others. Staleness markers, other non-finite
 * values, exemplars and native histograms are skipped and counted. Synchronous and CPU-bound.
 */
export function ingestRemoteWrite(body: Buffer, ctx: RemoteWriteContext): RemoteWriteResult {
  const req = decodeWriteRequest(body, ctx);
  for (const m of req.metadata) ctx.families.learn(m);
  const batch = emptyBatch();
  const rejections = new Rejections('remote_write');
  const skipped: RemoteWriteSkipped = { staleMarkers: 0, nonFinite: 0, exemplars: 0, histograms: 0 };
  for (let i = 0; i < req.series.length; i++) {
    const wire = req.series[i];
    if (wire === undefined) continue;
    skipped.exemplars += wire.exemplars;
    skipped.histograms += wire.histograms;
    if (wire.samples.length === 0) continue;
    if (wire.labelsOverLimit !== undefined) {
      const problem = `the series has more than ${MAX_SERIES_LABELS} labels`;
      rejections.reject(where(i, wire.labels), problem, wire.samples.length);
      continue;
    }
    const id = seriesIdentity(wire.labels, ctx.cluster);
    if ('problem' in id) {
      rejections.reject(where(i, wire.labels), id.problem, wire.samples.length);
      continue;
    }
    const kind = ctx.families.kindOf(id.name, id.labels);
    for (const s of wire.samples) {
      if (s.stale) {
        skipped.staleMarkers++;
        continue;
      }
      if (!Number.isFinite(s.value)) {
        skipped.nonFinite++;
        continue;
      }
      const problem = timeProblem(s.timeMs, ctx.receivedMs);
      if (problem !== undefined) {
        rejections.reject(where(i, wire.labels), problem);
        continue;
      }
      const point: MetricPoint = {
        name: id.name,
        labels: id.labels,
        source: id.source,
        type: kind.type,
        timeMs: s.timeMs,
        value: s.value,
      };
      if (kind.unit !== undefined) point.unit = kind.unit;
      batch.metrics.push(point);
    }
  }
  return {
    batch,
    samples: req.samples,
    rejected: rejections.count,
    rejectionReasons: rejections.reasons(),
    skipped,
    metadata: req.metadata.length,
  };
}
