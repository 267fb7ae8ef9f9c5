import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DecodeError, NotFoundError } from '@sleuth/core';
import type { Store } from '@sleuth/store';
import type { FixService } from '../remediation/fix-service';
import { Limit } from './params';
import { storeFor } from '../auth/gate';

export interface FixRouteDeps {
  store: Store;
  fixes: FixService;
}

const IncidentParams = z.object({ id: z.string().min(1).max(200) });

const OpenBody = z
  .object({
    /** The root cause to fix; default the best-ranked one with a fix the policy allows. */
    rootCauseId: z.string().min(1).max(200).optional(),
    /** Why the person opens it, kept in the audit log. */
    note: z.string().max(1000).optional(),
  })
  .strict();

const Cursor = z.object({ atMs: z.number(), id: z.string().min(1) });

function decodeCursor(text: string): z.infer<typeof Cursor> {
  try {
    return Cursor.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw new DecodeError('before: not a cursor this API gave');
  }
}

/** Who is asking, for the audit log: the signed-in user or token, and the client's address and agent. */
function actorOf(req: FastifyRequest): string {
  const agent = req.headers['user-agent'];
  const ua = typeof agent === 'string' ? agent.replace(/[^\x20-\x7e]/g, '').slice(0, 120) : '';
  const p = req.principal;
  const who = !p ? 'api client' : p.kind === 'local' ? p.name : `${p.kind} ${p.name}`;
  return `${who} at ${req.ip}${ua ? ` (${ua})` : ''}`;
}

/** `sleuth fix` says so in its user agent (informational, like the rest of the actor until sign-in). */
function isCli(req: FastifyRequest): boolean {
  const agent = req.headers['user-agent'];
  return typeof agent === 'string' && agent.startsWith('sleuth-cli ');
}

/**
 * Fixes for incidents (docs/remediation.md):
 * - `GET /incidents/:id/fix?rootCause=` → the fix Sleuth proposes (diff, rationale, risk,
 *   rollback, verification, policy), why each other root cause has none, the branch or pull
 *   request once opened, and the incident's audit log. 409 when no repository is configured.
 * - `POST /incidents/:id/fix/pull-request` `{rootCauseId?, note?}` → opens it: 201 when a branch
 *   or pull request was created, 200 when the incident's was updated (or already carried it), 422
 *   with the reasons when no cause can be fixed or the policy refuses, 502 when git or the forge
 *   fails, 429 when too many requests wait. Every request is recorded in the audit log.
 * - `GET /fix-actions?incident=&outcome=&limit=&before=` → `{actions, nextCursor?}`: the audit
 *   log, newest first.
 */
export function fixRoutes({ store, fixes }: FixRouteDeps) {
  /**
   * A scoped principal proposes and opens fixes only for incidents it may see (everything they name
   * in its scope, so the fix is too); another incident is not found.
   */
  const visible = async (req: FastifyRequest, id: string): Promise<void> => {
    if (req.principal?.scope === 'all' || !req.principal) return;
    if (!(await storeFor(req, store).getIncident(id))) throw new NotFoundError(`no incident ${id}`);
  };
  return function register(base: FastifyInstance): void {
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/incidents/:id/fix',
      {
        // Computing a fix runs the fixers on a clone of the GitOps repository: proposing is an operator's act.
        config: { access: 'operate', audit: 'fix.proposed', scoped: true },
        schema: {
          params: IncidentParams,
          querystring: z.object({ rootCause: z.string().min(1).max(200).optional() }).strict(),
        },
      },
      async (req) => {
        await visible(req, req.params.id);
        return fixes.proposal(req.params.id, req.query.rootCause);
      },
    );

    app.post(
      '/incidents/:id/fix/pull-request',
      {
        config: { access: 'operate', audit: 'fix.pull_request', scoped: true },
        bodyLimit: 16 * 1024,
        schema: { params: IncidentParams, body: OpenBody.nullish() },
      },
      async (req, reply) => {
        await visible(req, req.params.id);
        const body = req.body ?? {};
        const result = await fixes.open(req.params.id, {
          ...(body.rootCauseId ? { rootCauseId: body.rootCauseId } : {}),
          ...(body.note ? { note: body.note } : {}),
          trigger: isCli(req) ? 'cli' : 'api',
          actor: actorOf(req),
        });
        return reply.code(result.action.outcome === 'opened' ? 201 : 200).send(result);
      },
    );

    app.get(
      '/fix-actions',
      {
        config: { scoped: true },
        schema: {
          querystring: z
            .object({
              incident: z.string().min(1).max(200).optional(),
              outcome: z.enum(['opened', 'updated', 'unchanged', 'declined', 'refused', 'failed']).optional(),
              limit: Limit(1000, 100),
              before: z.string().max(300).optional(),
            })
            .strict(),
        },
      },
      async (req) => {
        const q = req.query;
        const actions = await storeFor(req, store).listFixActions({
          ...(q.incident ? { incidentId: q.incident } : {}),
          ...(q.outcome ? { outcome: q.outcome } : {}),
          ...(q.before ? { before: decodeCursor(q.before) } : {}),
          limit: q.limit,
        });
        const last = actions.at(-1);
        return {
          actions,
          ...(last && actions.length === q.limit
            ? {
                nextCursor: Buffer.from(JSON.stringify({ atMs: last.atMs, id: last.id })).toString(
                  'base64url',
                ),
              }
            : {}),
        };
      },
    );
  };
}
