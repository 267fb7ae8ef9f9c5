import { OverloadedError, delay, isSleuthError, type FrozenConfig, type Logger } from '@sleuth/core';
import type { OtlpSender } from '@sleuth/kubernetes';
import { ingestOtlp, type JsonObject } from '@sleuth/pipeline';
import type { IngestQueue } from '@sleuth/pipeline/queue';
import type { ClusterRegistry } from './clusters';
import type { ServerMetrics } from './metrics';

export interface InProcessSenderDeps {
  config: FrozenConfig;
  queue: IngestQueue;
  metrics: ServerMetrics;
  clusters: ClusterRegistry;
  logger: Logger;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * How collectors inside the server hand their OTLP requests to the pipeline: the receivers' own
 * path (decode, validate, normalise, redact, ingest queue) without the HTTP hop. Like an exporter
 * facing a busy receiver, it waits out a full queue (429) and retryable store failures, so nothing a
 * collector sends is dropped; only stopping (the signal) ends the wait.
 */
export class InProcessSender implements OtlpSender {
  constructor(private readonly deps: InProcessSenderDeps) {}

  async send(
    signal: 'logs' | 'metrics',
    request: JsonObject,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const { config, queue, metrics, clusters, logger } = this.deps;
    const result = ingestOtlp(signal, 'json', Buffer.from(JSON.stringify(request)), {
      defaultCluster: config.ingest.defaultCluster,
      redact: config.ingest.redactSecrets,
      receivedMs: Date.now(),
      maxRecords: config.ingest.maxRecordsPerRequest,
    });
    if (result.rejected > 0) {
      metrics.ingestRecords.inc({ signal, outcome: 'rejected' }, result.rejected);
      logger.warn(
        { rejected: result.rejected, reasons: result.rejectionReasons },
        'collector records rejected',
      );
    }
    const accepted =
      result.batch.objects.length +
      result.batch.events.length +
      result.batch.logs.length +
      result.batch.metrics.length;
    if (accepted === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await queue.submit(result.batch);
        metrics.ingestRecords.inc({ signal, outcome: 'accepted' }, accepted);
        clusters.accepted(result.batch);
        return;
      } catch (err) {
        if (!isSleuthError(err) || !err.retryable) throw err;
        const delayMs =
          err instanceof OverloadedError
            ? err.retryAfterSeconds * 1000
            : Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(attempt - 1, 6));
        metrics.ingestRecords.inc({ signal, outcome: 'throttled' }, accepted);
        await delay(delayMs, options.signal);
      }
    }
  }
}
