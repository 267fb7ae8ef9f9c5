import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { UnauthorizedError } from '@sleuth/core';
import type { AgentTokens } from '../agents';
import type { ClusterRegistry } from '../clusters';

const Report = z
  .object({
    agent: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'an agent id (letters, digits, -)'),
    version: z.string().max(64).optional(),
    collector: z.record(z.string(), z.unknown()).optional(),
    spool: z.record(z.string(), z.unknown()).optional(),
    shipper: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/**
 * `POST /v1/agent/status`: an agent reports how it is doing (its collector's status per kind, its
 * spool, its shipping), authenticated by its cluster's token; `/api/v1/clusters` shows it.
 */
export function agentRoutes(deps: { clusters: ClusterRegistry; agentTokens: AgentTokens | undefined }) {
  return function register(app: FastifyInstance): void {
    app.post(
      '/v1/agent/status',
      {
        config: { access: 'ingest' },
        bodyLimit: 256 * 1024,
        onRequest: (req, _reply, done) => {
          if (!deps.agentTokens) {
            done(
              new UnauthorizedError(
                'this server accepts no agents: ingest.agentTokensFile is not set on the server',
              ),
            );
            return;
          }
          try {
            deps.agentTokens.authenticate(req.headers.authorization);
            done();
          } catch (err) {
            done(err as Error);
          }
        },
        schema: { body: Report },
      },
      (req, reply) => {
        const cluster = deps.agentTokens?.authenticate(req.headers.authorization) ?? '';
        const { agent, ...report } = req.body as z.infer<typeof Report>;
        deps.clusters.agentReport(cluster, agent, report);
        return reply.status(204).send();
      },
    );
  };
}
