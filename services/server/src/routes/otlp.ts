import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UnauthorizedError, ValidationError, type FrozenConfig } from '@sleuth/core';
import {
  attributeLimitsOf,
  encodeOtlpResponse,
  ingestOtlp,
  type OtlpEncoding,
  type OtlpSignal,
} from '@sleuth/pipeline';
import type { IngestQueue } from '@sleuth/pipeline/queue';
import { parseBatchId, restrictToCluster, type AgentTokens, type ReplayGuard } from '../agents';
import type { ClusterRegistry } from '../clusters';
import type { ServerMetrics } from '../metrics';
import { decodeContentEncoding } from '../plugins/request-body';

export interface OtlpRouteDeps {
  config: FrozenConfig;
  queue: IngestQueue;
  metrics: ServerMetrics;
  clusters: ClusterRegistry;
  /** Agents' tokens (ingest.agentTokensFile); none means agents cannot push here. */
  agentTokens: AgentTokens | undefined;
  replays: ReplayGuard;
}

/** Who sent a request: an agent authenticated for its cluster, or anonymous. */
interface Sender {
  cluster: string | undefined;
  batch: { agent: string; seq: number } | undefined;
}

/**
 * Authenticates a request before its body is read. A bearer token, an agent's batch id, or
 * `ingest.allowAnonymous: false` each make a valid agent token required (401 otherwise).
 */
export function authenticateSender(
  req: FastifyRequest,
  config: FrozenConfig,
  tokens: AgentTokens | undefined,
): Sender {
  const header = req.headers['x-sleuth-batch-id'];
  const batch = parseBatchId(header);
  if (header !== undefined && !batch) {
    throw new ValidationError('X-Sleuth-Batch-Id must be <agent id>:<sequence number>');
  }
  const wantsAgent = req.headers.authorization !== undefined || batch !== undefined;
  if (!tokens) {
    if (batch) {
      throw new UnauthorizedError(
        'this server accepts no agents: ingest.agentTokensFile is not set on the server',
      );
    }
    return { cluster: undefined, batch: undefined };
  }
  if (!wantsAgent && config.ingest.allowAnonymous) return { cluster: undefined, batch: undefined };
  return { cluster: tokens.authenticate(req.headers.authorization), batch };
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
 * the good records are durably written; invalid records are reported in `partialSuccess`, and so is
 * what the attribute limits cut (with nothing rejected, as OTLP allows for warnings).
 */
export function otlpRoutes(deps: OtlpRouteDeps) {
  const { config, queue, metrics, clusters, agentTokens, replays } = deps;
  const senders = new WeakMap<FastifyRequest, Sender>();
  const limits = attributeLimitsOf(config.ingest);
  return function register(app: FastifyInstance): void {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      [JSON_TYPE, PROTOBUF],
      { parseAs: 'buffer', bodyLimit: config.server.maxRequestBytes },
      (_req, body, done) => done(null, body),
    );

    for (const signal of SIGNALS) {
      const onRequest = (req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void => {
        try {
          senders.set(req, authenticateSender(req, config, agentTokens));
          done();
        } catch (err) {
          metrics.ingestRequests.inc({
            signal,
            encoding: encodingOf(req),
            code: String((err as { statusCode?: number }).statusCode ?? 400),
          });
          done(err as Error);
        }
      };
      app.post(
        `/v1/${signal}`,
        { onRequest, config: { access: 'ingest' } },
        async (req: FastifyRequest, reply: FastifyReply) => {
          const encoding = encodingOf(req);
          const sender = senders.get(req) ?? { cluster: undefined, batch: undefined };
          const { cluster: agentCluster, batch } = sender;
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
          if (agentCluster !== undefined && batch && replays.isReplay(agentCluster, batch.agent, batch.seq)) {
            // Already stored: the agent did not see our answer and sent it again.
            metrics.ingestRequests.inc({ signal, encoding, code: 'replay' });
            const body = encodeOtlpResponse(signal, encoding, { rejected: 0 });
            return reply
              .status(200)
              .header('x-sleuth-replay', 'true')
              .type(encoding === 'protobuf' ? PROTOBUF : JSON_TYPE)
              .send(
                typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength),
              );
          }
          const result = ingestOtlp(signal, encoding, raw, {
            defaultCluster: agentCluster ?? config.ingest.defaultCluster,
            redact: config.ingest.redactSecrets,
            receivedMs: Date.now(),
            maxRecords: config.ingest.maxRecordsPerRequest,
            limits,
          });
          if (agentCluster !== undefined) {
            const foreign = restrictToCluster(result.batch, agentCluster);
            if (foreign.reason !== undefined) {
              result.rejected += foreign.rejected;
              result.rejectionReasons.push(foreign.reason);
            }
          }
          const accepted =
            result.batch.logs.length +
            result.batch.metrics.length +
            result.batch.spans.length +
            result.batch.events.length +
            result.batch.objects.length;
          const errorMessage = result.rejectionReasons.join('; ');
          if (result.rejected > 0)
            metrics.ingestRecords.inc({ signal, outcome: 'rejected' }, result.rejected);
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
          metrics.countLimited(signal, result.limited);
          clusters.accepted(result.batch);
          if (agentCluster !== undefined && batch) {
            replays.committed(agentCluster, batch.agent, batch.seq);
            clusters.agentBatch(agentCluster, batch.agent);
          }
          // What the limits cut is a warning: OTLP's partial success with nothing rejected.
          const message = [errorMessage, result.limitWarning ?? ''].filter((m) => m !== '').join('; ');
          const body = encodeOtlpResponse(signal, encoding, {
            rejected: result.rejected,
            ...(message === '' ? {} : { errorMessage: message }),
          });
          return reply
            .status(200)
            .type(encoding === 'protobuf' ? PROTOBUF : JSON_TYPE)
            .send(
              typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength),
            );
        },
      );
    }
  };
}
