import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  DecodeError,
  OverloadedError,
  UnauthorizedError,
  UnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
  type FrozenConfig,
} from '@sleuth/core';
import { ingestRemoteWrite, MetricFamilies, type RemoteWriteSkipped } from '@sleuth/pipeline';
import type { IngestQueue } from '@sleuth/pipeline/queue';
import type { ClusterRegistry } from '../clusters';
import type { ServerMetrics } from '../metrics';

export interface RemoteWriteRouteDeps {
  config: FrozenConfig;
  queue: IngestQueue;
  metrics: ServerMetrics;
  clusters: ClusterRegistry;
}

/** Where Prometheus's own receiver and VictoriaMetrics take remote write, and an alias. */
const PATHS = ['/api/v1/write', '/api/v1/prom/write'];
const SIGNAL = 'remote_write';
const ENCODING = 'protobuf';
/** The message remote write 1.0 sends; 2.0 names `io.prometheus.write.v2.Request`. */
const V1_MESSAGE = 'prometheus.WriteRequest';
/** Rejected samples are logged at most this often, so one bad series cannot flood the log. */
const WARN_EVERY_MS = 60_000;

/** Compares two texts in time independent of where they differ (hashing first evens the lengths). */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** Throws UnauthorizedError unless the request may write: the token when one is set, else allowAnonymous. */
function authenticate(req: FastifyRequest, config: FrozenConfig): void {
  const token = config.prometheus.remoteWrite.bearerToken;
  if (token === undefined) {
    if (config.ingest.allowAnonymous) return;
    throw new UnauthorizedError(
      'remote write needs a token here (ingest.allowAnonymous is false): set prometheus.remoteWrite.bearerToken and give Prometheus the same one in remote_write authorization.credentials',
    );
  }
  const header = req.headers.authorization;
  if (header === undefined) {
    throw new UnauthorizedError(
      'remote write needs Authorization: Bearer <token>; set authorization.credentials in the remote_write config to prometheus.remoteWrite.bearerToken',
    );
  }
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!m?.[1] || !sameSecret(m[1], token)) {
    throw new UnauthorizedError('the bearer token is not the one prometheus.remoteWrite.bearerToken sets');
  }
}

/** Throws UnsupportedMediaTypeError unless the request is a snappy-compressed remote write 1.0 body. */
function checkMediaType(req: FastifyRequest): void {
  const [type = '', ...params] = (req.headers['content-type'] ?? '').split(';').map((p) => p.trim());
  if (type.toLowerCase() !== 'application/x-protobuf') {
    throw new UnsupportedMediaTypeError(
      `remote write bodies are protobuf: send Content-Type: application/x-protobuf (got ${JSON.stringify(type)})`,
    );
  }
  const proto = params.find((p) => p.toLowerCase().startsWith('proto='))?.slice('proto='.length);
  if (proto !== undefined && proto !== V1_MESSAGE) {
    throw new UnsupportedMediaTypeError(
      `only remote write 1.0 (${V1_MESSAGE}) is received here, not ${proto}; set protobuf_message: ${V1_MESSAGE} in the remote_write config`,
    );
  }
  const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding !== 'snappy') {
    throw new UnsupportedMediaTypeError(
      `remote write bodies are snappy-compressed: send Content-Encoding: snappy (got ${encoding === '' ? 'none' : JSON.stringify(encoding)})`,
    );
  }
}

function countSkipped(metrics: ServerMetrics, s: RemoteWriteSkipped): void {
  if (s.staleMarkers > 0) metrics.remoteWriteSkipped.inc({ reason: 'stale_marker' }, s.staleMarkers);
  if (s.nonFinite > 0) metrics.remoteWriteSkipped.inc({ reason: 'non_finite' }, s.nonFinite);
  if (s.exemplars > 0) metrics.remoteWriteSkipped.inc({ reason: 'exemplar' }, s.exemplars);
  if (s.histograms > 0) metrics.remoteWriteSkipped.inc({ reason: 'native_histogram' }, s.histograms);
}

/**
 * Prometheus remote write 1.0 receiver (`POST /api/v1/write`, alias `/api/v1/prom/write`): a
 * snappy-compressed protobuf WriteRequest becomes metric points on the same ingest queue as OTLP, so
 * 204 means durably written and handed to the detectors. 401 without the configured token, 415 for
 * another content type or encoding, 400 for an undecodable body or one whose every series is
 * invalid, 413 past the limits, 503 with Retry-After when the queue is full (not 429: Prometheus
 * drops 4xx batches by default and retries 5xx). Invalid series are left out and counted; the
 * others are kept.
 */
export function remoteWriteRoutes({ config, queue, metrics, clusters }: RemoteWriteRouteDeps) {
  const settings = config.prometheus.remoteWrite;
  const families = new MetricFamilies();
  const cluster = {
    label: settings.clusterLabel,
    fallback: settings.cluster ?? config.ingest.defaultCluster,
  };
  let lastWarnMs = -Infinity;
  return function register(app: FastifyInstance): void {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: config.server.maxRequestBytes },
      (_req, body, done) => done(null, body),
    );
    const onRequest = (req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void => {
      try {
        authenticate(req, config);
        checkMediaType(req);
        done();
      } catch (err) {
        const code = String((err as { statusCode?: number }).statusCode ?? 400);
        metrics.ingestRequests.inc({ signal: SIGNAL, encoding: ENCODING, code });
        done(err as Error);
      }
    };
    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      reply.raw.once('finish', () => {
        metrics.ingestRequests.inc({ signal: SIGNAL, encoding: ENCODING, code: String(reply.statusCode) });
      });
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
        throw new DecodeError('the body is empty: expected a snappy-compressed prometheus.WriteRequest');
      }
      const receivedMs = Date.now();
      const result = ingestRemoteWrite(req.body, {
        cluster,
        receivedMs,
        families,
        maxDecompressedBytes: settings.maxDecompressedBytes,
        maxSamples: settings.maxSamplesPerRequest,
      });
      countSkipped(metrics, result.skipped);
      const accepted = result.batch.metrics.length;
      if (result.rejected > 0) {
        metrics.ingestRecords.inc({ signal: SIGNAL, outcome: 'rejected' }, result.rejected);
        if (receivedMs - lastWarnMs >= WARN_EVERY_MS) {
          lastWarnMs = receivedMs;
          req.log.warn(
            { rejected: result.rejected, accepted, reasons: result.rejectionReasons },
            'remote write samples rejected (logged at most once a minute)',
          );
        }
        if (accepted === 0) {
          throw new ValidationError(`every sample was invalid: ${result.rejectionReasons.join('; ')}`, {
            rejected: result.rejected,
            reasons: result.rejectionReasons,
          });
        }
      }
      try {
        await queue.submit(result.batch);
      } catch (err) {
        if (!(err instanceof OverloadedError)) {
          metrics.ingestRecords.inc({ signal: SIGNAL, outcome: 'failed' }, accepted);
          throw err;
        }
        metrics.ingestRecords.inc({ signal: SIGNAL, outcome: 'throttled' }, accepted);
        // Prometheus drops a batch answered 429 unless queue_config.retry_on_http_429 is set, and
        // retries every 5xx: a full queue is answered 503 so nothing is lost.
        const busy = new UnavailableError(err.message, err.details);
        return reply
          .status(503)
          .header('retry-after', String(err.retryAfterSeconds))
          .type('application/json')
          .send(busy.toJSON());
      }
      if (accepted > 0) {
        metrics.ingestRecords.inc({ signal: SIGNAL, outcome: 'accepted' }, accepted);
        clusters.accepted(result.batch);
      }
      return reply.status(204).send();
    };
    for (const url of PATHS) app.post(url, { onRequest, config: { access: 'ingest' } }, handler);
  };
}
