import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError, type FrozenConfig } from '@sleuth/core';
import { encodeOtlpResponse, ingestOtlp, type OtlpEncoding, type OtlpSignal } from '@sleuth/pipeline';
import type { IngestQueue } from '@sleuth/pipeline/queue';
import type { ClusterRegistry } from '../clusters';
import type { ServerMetrics } from '../metrics';
import { decodeContentEncoding } from '../plugins/request-body';

export interface OtlpRouteDeps {
  config: FrozenConfig;
  queue: IngestQueue;
  metrics: ServerMetrics;
  clusters: ClusterRegistry;
}

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';
const SIGNALS: readonly OtlpSignal[] = ['logs', 'metrics', 'traces'];

function encodingOf(req: FastifyRequest): OtlpEncoding {
  return (req.headers['content-type'] ?? '').startsWith(PROTOBUF) ? 'protobuf' : 'json';
}

/**
 * OTLP/HTTP receivers (`POST /v1/logs`, `/v1/metrics`, `/v1/traces`), JSON and protobuf, gzip
 * accepted, as the OpenTelemetry protocol specification defines them. A 200 is sent only after
 * the good records are durably written; invalid records are reported in `partialSuccess`.
 */
export function otlpRoutes(deps: OtlpRouteDeps) {
  const { config, queue, metrics, clusters } = deps;
  return function register(app: FastifyInstance): void {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      [JSON_TYPE, PROTOBUF],
      { parseAs: 'buffer', bodyLimit: config.server.maxRequestBytes },
      (_req, body, done) => done(null, body),
    );

    for (const signal of SIGNALS) {
      app.post(`/v1/${signal}`, async (req: FastifyRequest, reply: FastifyReply) => {
        const encoding = encodingOf(req);
        reply.raw.once('finish', () => {
          metrics.ingestRequests.inc({ signal, encoding, code: String(reply.statusCode) });
        });
        if (!Buffer.isBuffer(req.body)) {
          throw new ValidationError(`an OTLP ${signal} export request body is required`);
        }
        const raw = await decodeContentEncoding(
          req.body,
          req.headers['content-encoding'],
          config.server.maxDecompressedBytes,
        );
        const result = ingestOtlp(signal, encoding, raw, {
          defaultCluster: config.ingest.defaultCluster,
          redact: config.ingest.redactSecrets,
          receivedMs: Date.now(),
        });
        const accepted =
          result.batch.logs.length +
          result.batch.metrics.length +
          result.batch.spans.length +
          result.batch.events.length +
          result.batch.objects.length;
        const errorMessage = result.rejectionReasons.join('; ');
        if (result.rejected > 0) metrics.ingestRecords.inc({ signal, outcome: 'rejected' }, result.rejected);
        if (accepted === 0 && result.rejected > 0) {
          throw new ValidationError(`every record was invalid: ${errorMessage}`, {
            rejected: result.rejected,
            reasons: result.rejectionReasons,
          });
        }
        try {
          await queue.submit(result.batch);
        } catch (err) {
          const outcome = (err as { statusCode?: number }).statusCode === 429 ? 'throttled' : 'failed';
          metrics.ingestRecords.inc({ signal, outcome }, accepted);
          throw err;
        }
        metrics.ingestRecords.inc({ signal, outcome: 'accepted' }, accepted);
        clusters.accepted(result.batch);
        const body = encodeOtlpResponse(
          signal,
          encoding,
          result.rejected > 0 ? { rejected: result.rejected, errorMessage } : { rejected: 0 },
        );
        return reply
          .status(200)
          .type(encoding === 'protobuf' ? PROTOBUF : JSON_TYPE)
          .send(typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
      });
    }
  };
}
