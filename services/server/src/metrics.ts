import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DetectionObserver } from '@sleuth/detect';
import type { LimitedCounts } from '@sleuth/pipeline';
import type { IngestQueueObserver } from '@sleuth/pipeline/queue';
import { traced } from './tracing';

/**
 * Sleuth's own Prometheus metrics, served at /metrics. One registry per server instance so tests
 * can run several apps in one process.
 */
export class ServerMetrics {
  readonly registry = new Registry();

  readonly ingestRequests = new Counter({
    name: 'sleuth_ingest_requests_total',
    help: 'Ingest requests by signal, encoding and HTTP status code.',
    labelNames: ['signal', 'encoding', 'code'] as const,
    registers: [this.registry],
  });
  readonly ingestRecords = new Counter({
    name: 'sleuth_ingest_records_total',
    help: 'Records received, by signal and outcome (accepted: durably written; rejected: invalid; throttled: refused with 429; failed: not written).',
    labelNames: ['signal', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly ingestLimited = new Counter({
    name: 'sleuth_ingest_limited_total',
    help: 'Parts of OTLP records cut to the ingest limits, the records kept, by signal and what (attributes_dropped: past ingest.maxAttributesPerRecord; values_truncated: attribute values cut to ingest.maxAttributeValueBytes, ingest.maxAttributeDepth or as many elements; events_dropped: span events past ingest.maxEventsPerSpan).',
    labelNames: ['signal', 'what'] as const,
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'sleuth_ingest_queue_records',
    help: 'Records accepted and waiting to be written.',
    registers: [this.registry],
  });
  readonly queueCapacity = new Gauge({
    name: 'sleuth_ingest_queue_capacity_records',
    help: 'Records the ingest queue can hold before answering 429.',
    registers: [this.registry],
  });
  readonly storeWriteSeconds = new Histogram({
    name: 'sleuth_store_write_seconds',
    help: 'Duration of one group-commit store transaction.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly storeWriteRecords = new Counter({
    name: 'sleuth_store_written_records_total',
    help: 'Records written to the store.',
    registers: [this.registry],
  });
  readonly storeWriteFailures = new Counter({
    name: 'sleuth_store_write_failures_total',
    help: 'Failed store transactions, by whether a retry can succeed.',
    labelNames: ['retryable'] as const,
    registers: [this.registry],
  });
  readonly storeQuerySeconds = new Histogram({
    name: 'sleuth_store_query_seconds',
    help: 'Duration of store queries by operation.',
    labelNames: ['op'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly remoteWriteSkipped = new Counter({
    name: 'sleuth_remote_write_skipped_total',
    help: 'Prometheus remote write data not stored and not an error, by reason (stale_marker: a series ended; non_finite: NaN or Inf values; exemplar and native_histogram: not supported).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly alertsReceived = new Counter({
    name: 'sleuth_alerts_received_total',
    help: 'Alerts in webhook deliveries, by receiver and outcome (accepted: new or changed; duplicate: already known; rejected: malformed; throttled: refused with 429).',
    labelNames: ['receiver', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly notifications = new Counter({
    name: 'sleuth_notifications_total',
    help: 'Notification attempts by channel, event and outcome (delivered; retried: will be sent again; failed: given up).',
    labelNames: ['channel', 'event', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly alertsPending = new Gauge({
    name: 'sleuth_alerts_pending',
    help: 'Alerts stored and waiting to be correlated into incidents.',
    registers: [this.registry],
  });
  readonly httpRequestSeconds = new Histogram({
    name: 'sleuth_http_request_duration_seconds',
    help: 'HTTP request duration by route and status code.',
    labelNames: ['method', 'route', 'code'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'sleuth_' });
  }

  /** Counts what the OTLP attribute limits cut from one request. */
  countLimited(signal: string, limited: LimitedCounts): void {
    const { droppedAttributes, truncatedValues, droppedEvents } = limited;
    if (droppedAttributes > 0)
      this.ingestLimited.inc({ signal, what: 'attributes_dropped' }, droppedAttributes);
    if (truncatedValues > 0) this.ingestLimited.inc({ signal, what: 'values_truncated' }, truncatedValues);
    if (droppedEvents > 0) this.ingestLimited.inc({ signal, what: 'events_dropped' }, droppedEvents);
  }

  /** Feeds the ingest queue's progress into these metrics. */
  readonly detectDropped = new Counter({
    name: 'sleuth_detect_dropped_records_total',
    help: 'Stored records that skipped detection because the detectors were behind.',
    registers: [this.registry],
  });
  readonly detectSeconds = new Histogram({
    name: 'sleuth_detect_seconds',
    help: 'Time one detector spent on one batch or tick.',
    labelNames: ['detector'] as const,
    buckets: [0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
    registers: [this.registry],
  });
  readonly anomaliesReported = new Counter({
    name: 'sleuth_detect_anomaly_updates_total',
    help: 'Anomalies opened, updated or ended, by detector.',
    labelNames: ['detector'] as const,
    registers: [this.registry],
  });
  readonly detectFailures = new Counter({
    name: 'sleuth_detect_failures_total',
    help: 'Batches a detector threw on (the other detectors still ran).',
    labelNames: ['detector'] as const,
    registers: [this.registry],
  });

  detectionObserver(): DetectionObserver {
    return {
      batchDropped: (records) => this.detectDropped.inc(records),
      detected: (detector, anomalies, seconds) => {
        this.detectSeconds.observe({ detector }, seconds);
        if (anomalies > 0) this.anomaliesReported.inc({ detector }, anomalies);
      },
      detectorFailed: (detector) => this.detectFailures.inc({ detector }),
    };
  }

  queueObserver(): IngestQueueObserver {
    return {
      depthChanged: (records) => this.queueDepth.set(records),
      written: (records, seconds) => {
        this.storeWriteSeconds.observe(seconds);
        this.storeWriteRecords.inc(records);
      },
      writeFailed: (_records, retryable) => this.storeWriteFailures.inc({ retryable: String(retryable) }),
      throttled: () => undefined,
    };
  }

  /** Times a store query under `op`, and traces it as span `store.<op>`. */
  async timeQuery<T>(op: string, run: () => Promise<T>): Promise<T> {
    const end = this.storeQuerySeconds.startTimer({ op });
    try {
      return await traced(`store.${op}`, run);
    } finally {
      end();
    }
  }
}
