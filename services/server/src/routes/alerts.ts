import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DecodeError, NotFoundError, type FrozenConfig } from '@sleuth/core';
import type { Store } from '@sleuth/store';
import type { AlertService } from '../alerts/alert-service';
import { ReceiverAuth } from '../alerts/auth';
import { parseGenericPayload } from '../alerts/generic';
import { parseWebhookPayload, type IncomingDelivery, type ReceiverConfig } from '../alerts/payloads';
import { Limit } from './params';
import { storeFor } from '../auth/gate';

export interface AlertRouteDeps {
  config: FrozenConfig;
  store: Store;
  alerts: AlertService;
}

const ListQuery = z
  .object({
    receiver: z.string().min(1).max(100).optional(),
    status: z.enum(['firing', 'resolved']).optional(),
    incident: z.string().min(1).max(200).optional(),
    fingerprint: z.string().min(1).max(200).optional(),
    limit: Limit(1000, 100),
    /** The cursor a previous page answered with. */
    before: z.string().max(300).optional(),
  })
  .strict();

const Cursor = z.object({ updatedMs: z.number(), id: z.string().min(1) });

function encodeCursor(c: { updatedMs: number; id: string }): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(text: string): { updatedMs: number; id: string } {
  try {
    return Cursor.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw new DecodeError('before: not a cursor this API gave');
  }
}

/** Read routes a scoped principal may use: they read through its scoped store (auth/scoped-store.ts). */
const scoped = { config: { scoped: true } } as const;

interface Receiver {
  config: ReceiverConfig;
  auth: ReceiverAuth;
}

/**
 * Alert webhooks and what they became:
 * - `POST /alerts/:receiver`: a delivery from Alertmanager (webhook payload version 4), Grafana
 *   alerting or a generic JSON sender, as the receiver's config says. 401 without valid
 *   credentials (bearer token, HMAC signature), 400 naming the field of a malformed payload, 413
 *   beyond `alerts.maxBodyBytes`, 429 with Retry-After when too many alerts wait for correlation;
 *   else 200 `{accepted, duplicates, rejected: [{index, problem}], alerts: [{id, status, change}]}`
 *   once the alerts are stored.
 * - `GET /alerts?receiver=&status=&incident=&fingerprint=&limit=&before=` → `{alerts, nextCursor?}`,
 *   most recently updated first.
 * - `GET /alerts/:id` → `{alert}`.
 * - `GET /notifications?channel=&status=&incident=&limit=` → `{notifications}`: what was sent where
 *   and what became of it (attempts, last status code or error), newest first, without payloads.
 * - `GET /incidents/:id/notifications` → `{notifications}`: an incident's, with the payloads sent.
 */
export function alertRoutes({ config, store, alerts }: AlertRouteDeps) {
  const receivers = new Map<string, Receiver>(
    config.alerts.receivers.map((r) => [r.name, { config: r, auth: new ReceiverAuth(r) }]),
  );
  const receiverOf = new WeakMap<FastifyRequest, Receiver>();
  return function register(base: FastifyInstance): void {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.removeAllContentTypeParsers();
    // The raw bytes: a signature is over the body exactly as sent.
    app.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: config.alerts.maxBodyBytes },
      (_req, body, done) => done(null, body),
    );

    app.post(
      '/alerts/:receiver',
      {
        config: { access: 'ingest' },
        schema: { params: z.object({ receiver: z.string().min(1).max(100) }) },
        bodyLimit: config.alerts.maxBodyBytes,
        onRequest: (req, _reply, done) => {
          const name = (req.params as { receiver?: string }).receiver ?? '';
          const r = receivers.get(name);
          if (!r) {
            const names = [...receivers.keys()];
            done(
              new NotFoundError(
                `no alert receiver named ${JSON.stringify(name)}; ${names.length > 0 ? `configured: ${names.join(', ')}` : 'none is configured (alerts.receivers)'}`,
              ),
            );
            return;
          }
          try {
            r.auth.checkHeaders(req.headers);
            receiverOf.set(req, r);
            done();
          } catch (err) {
            done(err as Error);
          }
        },
      },
      async (req) => {
        const r = receiverOf.get(req);
        if (!r) throw new NotFoundError(`no alert receiver named ${req.params.receiver}`);
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        r.auth.checkBody(req.headers, raw);
        if (raw.length === 0) throw new DecodeError('the body is empty: expected a JSON payload');
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch (err) {
          throw new DecodeError(`the body is not JSON: ${(err as Error).message}`);
        }
        const max = config.alerts.maxAlertsPerDelivery;
        const delivery: IncomingDelivery =
          r.config.source === 'generic'
            ? parseGenericPayload(body, r.config.mapping, max, Date.now())
            : parseWebhookPayload(body, r.config.source, max);
        if (delivery.rejected.length > 0) {
          req.log.warn(
            { receiver: r.config.name, rejected: delivery.rejected.slice(0, 5) },
            'alerts left out of a delivery',
          );
        }
        return alerts.accept(r.config, delivery);
      },
    );

    app.get('/alerts', { ...scoped, schema: { querystring: ListQuery } }, async (req) => {
      const q = req.query;
      const list = await storeFor(req, store).listAlerts({
        limit: q.limit,
        ...(q.receiver ? { receiver: q.receiver } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.incident ? { incidentId: q.incident } : {}),
        ...(q.fingerprint ? { fingerprint: q.fingerprint } : {}),
        ...(q.before ? { before: decodeCursor(q.before) } : {}),
      });
      const last = list.at(-1);
      return {
        alerts: list,
        ...(last && list.length === q.limit ? { nextCursor: encodeCursor(last) } : {}),
      };
    });

    app.get(
      '/notifications',
      {
        ...scoped,
        schema: {
          querystring: z
            .object({
              channel: z.string().min(1).max(100).optional(),
              status: z.enum(['pending', 'delivered', 'failed']).optional(),
              incident: z.string().min(1).max(200).optional(),
              limit: Limit(1000, 100),
            })
            .strict(),
        },
      },
      async (req) => {
        const q = req.query;
        const list = await storeFor(req, store).listNotifications({
          limit: q.limit,
          ...(q.channel ? { channel: q.channel } : {}),
          ...(q.status ? { status: q.status } : {}),
          ...(q.incident ? { incidentId: q.incident } : {}),
        });
        // The payload is what was sent; the list says what happened to it.
        return { notifications: list.map(({ payload: _payload, ...d }) => d) };
      },
    );

    app.get(
      '/incidents/:id/notifications',
      { ...scoped, schema: { params: z.object({ id: z.string().min(1).max(200) }) } },
      async (req) => ({
        notifications: await storeFor(req, store).listNotifications({
          incidentId: req.params.id,
          limit: 200,
        }),
      }),
    );

    app.get(
      '/alerts/:id',
      { ...scoped, schema: { params: z.object({ id: z.string().min(1).max(200) }) } },
      async (req) => {
        const [alert] = await storeFor(req, store).getAlerts([req.params.id]);
        if (!alert) throw new NotFoundError(`no alert ${req.params.id}`);
        return { alert };
      },
    );
  };
}
