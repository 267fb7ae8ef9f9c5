import { describe, expect, it } from 'vitest';
import type { Span } from '@sleuth/core';
import { batchOf, CART_EU, event, MINUTE, PAYMENTS_EU, SECOND, span, T0 } from './fixtures';
import { useStore, type MakeStore } from './harness';

const TRACE_B = '5cf92f3577b34da6a3ce929d0e0e4737';

const ROOT = span({
  spanId: 'a000000000000001',
  startMs: T0,
  durationMs: 250.5,
  name: 'POST /checkout',
  attributes: { 'http.status_code': 500 },
});
const SPANS: Span[] = [
  ROOT,
  span({
    spanId: 'a000000000000003',
    parentSpanId: 'a000000000000001',
    startMs: T0 + 120.25,
    durationMs: 80,
    name: 'charge',
    kind: 'client',
    service: 'payments',
    source: PAYMENTS_EU,
    status: 'error',
    statusMessage: 'card declined',
  }),
  span({
    spanId: 'a000000000000002',
    parentSpanId: 'a000000000000001',
    startMs: T0 + 10,
    durationMs: 100,
    name: 'SELECT cart',
    kind: 'client',
  }),
  span({
    traceId: TRACE_B,
    spanId: 'b000000000000001',
    startMs: T0 + MINUTE,
    durationMs: 5,
    name: 'GET /api/cart',
  }),
];

export function traceEventContract(make: MakeStore): void {
  describe('traces', () => {
    const ref = useStore(make, 'each');

    it('finds service-to-service calls from parent and child spans of different services', async () => {
      await ref.store.writeBatch(batchOf({ spans: SPANS }));
      const calls = await ref.store.serviceCalls({ fromMs: T0 - MINUTE, toMs: T0 + 2 * MINUTE });
      // cart's POST /checkout → payments' charge (an error); cart → cart (SELECT cart) is not a call.
      expect(calls).toEqual([
        {
          from: { service: 'cart', cluster: 'prod-eu', namespace: 'shop' },
          to: { service: 'payments', cluster: 'prod-eu', namespace: 'payments' },
          calls: 1,
          errors: 1,
          meanDurationMs: 80,
        },
      ]);
      expect(
        await ref.store.serviceCalls({ fromMs: T0 - MINUTE, toMs: T0 + 2 * MINUTE, cluster: 'prod-us' }),
      ).toEqual([]);
      expect(await ref.store.serviceCalls({ fromMs: T0 + MINUTE, toMs: T0 + 2 * MINUTE })).toEqual([]);
    });

    it('finds calls to what emits no spans (a database, a cache) by the Service name the client dialled', async () => {
      const leaf = (spanId: string, address: string, status: Span['status'] = 'ok') =>
        span({
          spanId,
          parentSpanId: 'a000000000000001',
          startMs: T0 + 20,
          durationMs: 4,
          name: 'GET',
          kind: 'client',
          status,
          attributes: { 'db.system': 'redis', 'server.address': address, 'server.port': 6379 },
        });
      await ref.store.writeBatch(
        batchOf({
          spans: [
            ROOT,
            leaf('c000000000000001', 'redis.data.svc.cluster.local'),
            leaf('c000000000000002', 'redis.data.svc.cluster.local:6379', 'error'),
            leaf('c000000000000003', 'sessions'), // same namespace as the caller
            leaf('c000000000000004', '10.0.3.7'), // an IP names no Service
            leaf('c000000000000005', 'api.stripe.com'), // outside the cluster
          ],
        }),
      );
      const calls = await ref.store.serviceCalls({ fromMs: T0 - MINUTE, toMs: T0 + 2 * MINUTE });
      expect(calls).toEqual([
        {
          from: { service: 'cart', cluster: 'prod-eu', namespace: 'shop' },
          to: { service: 'redis', cluster: 'prod-eu', namespace: 'data' },
          calls: 2,
          errors: 1,
          meanDurationMs: 4,
        },
        {
          from: { service: 'cart', cluster: 'prod-eu', namespace: 'shop' },
          to: { service: 'sessions', cluster: 'prod-eu', namespace: 'shop' },
          calls: 1,
          errors: 0,
          meanDurationMs: 4,
        },
      ]);
    });

    it('returns every span of a trace by start time, all fields intact', async () => {
      expect(await ref.store.writeBatch(batchOf({ spans: SPANS }))).toMatchObject({ spans: 4 });
      const trace = await ref.store.getTrace(ROOT.traceId);
      expect(trace).toEqual([SPANS[0], SPANS[2], SPANS[1]]);
      expect(await ref.store.getTrace('ffffffffffffffffffffffffffffffff')).toEqual([]);
    });

    it('searches spans by service, name, status, duration, source and window, newest first', async () => {
      await ref.store.writeBatch(batchOf({ spans: SPANS }));
      const ids = async (q: Parameters<typeof ref.store.searchSpans>[0]): Promise<string[]> =>
        (await ref.store.searchSpans(q)).map((s) => s.spanId);
      expect(await ids({})).toEqual([
        'b000000000000001',
        'a000000000000003',
        'a000000000000002',
        'a000000000000001',
      ]);
      expect(await ids({ service: 'payments' })).toEqual(['a000000000000003']);
      expect(await ids({ name: 'SELECT cart' })).toEqual(['a000000000000002']);
      expect(await ids({ status: 'error' })).toEqual(['a000000000000003']);
      expect(await ids({ minDurationMs: 100 })).toEqual(['a000000000000002', 'a000000000000001']);
      expect(await ids({ namespace: 'payments' })).toEqual(['a000000000000003']);
      expect(await ids({ pod: CART_EU.pod ?? '', fromMs: T0 + 10, toMs: T0 + MINUTE })).toEqual([
        'a000000000000002',
      ]);
      expect(await ids({ limit: 1 })).toEqual(['b000000000000001']);
    });

    it('replaces a span written again', async () => {
      await ref.store.writeBatch(batchOf({ spans: SPANS.slice(0, 1) }));
      const again: Span = { ...ROOT, status: 'error', statusMessage: 'late status' };
      await ref.store.writeBatch(batchOf({ spans: [again] }));
      expect(await ref.store.getTrace(again.traceId)).toEqual([again]);
    });
  });

  describe('Kubernetes events', () => {
    const ref = useStore(make, 'each');

    it('updates an event with a known uid instead of duplicating it', async () => {
      const first = event({
        uid: 'ev-1',
        reason: 'BackOff',
        lastMs: T0,
        count: 1,
        message: 'Back-off restarting',
      });
      await ref.store.writeBatch(batchOf({ events: [first] }));
      const [stored] = await ref.store.listEvents({});
      const later = {
        ...first,
        count: 7,
        lastMs: T0 + 5 * MINUTE,
        message: 'Back-off restarting failed container',
      };
      await ref.store.writeBatch(batchOf({ events: [later] }));
      const events = await ref.store.listEvents({});
      expect(events).toEqual([{ ...later, firstMs: T0, id: stored?.id }]);
      expect(typeof stored?.id).toBe('string');
    });

    it('round-trips every field and keeps events without a uid apart', async () => {
      const full = event({
        uid: 'ev-2',
        reason: 'Killing',
        lastMs: T0,
        type: 'Normal',
        reportingComponent: 'kubelet',
      });
      const anonymous = event({ reason: 'Pulled', lastMs: T0 + SECOND });
      await ref.store.writeBatch(batchOf({ events: [full, anonymous, anonymous] }));
      const events = await ref.store.listEvents({});
      expect(events).toHaveLength(3);
      expect(events.at(-1)).toEqual({ ...full, id: events.at(-1)?.id });
    });

    it('filters by object, reason, type, namespace, cluster and window, newest first', async () => {
      await ref.store.writeBatch(
        batchOf({
          events: [
            event({ uid: 'a', reason: 'OOMKilling', lastMs: T0 }),
            event({ uid: 'b', reason: 'Scheduled', type: 'Normal', lastMs: T0 + MINUTE }),
            event({
              uid: 'c',
              reason: 'FailedMount',
              lastMs: T0 + 2 * MINUTE,
              cluster: 'prod-us',
              namespace: 'payments',
              involved: { cluster: 'prod-us', namespace: 'payments', kind: 'Deployment', name: 'api' },
            }),
          ],
        }),
      );
      const reasons = async (q: Parameters<typeof ref.store.listEvents>[0]): Promise<string[]> =>
        (await ref.store.listEvents(q)).map((e) => e.reason);
      expect(await reasons({})).toEqual(['FailedMount', 'Scheduled', 'OOMKilling']);
      expect(await reasons({ kind: 'Deployment', name: 'api' })).toEqual(['FailedMount']);
      expect(await reasons({ reason: 'Scheduled' })).toEqual(['Scheduled']);
      expect(await reasons({ type: 'Warning' })).toEqual(['FailedMount', 'OOMKilling']);
      expect(await reasons({ namespace: 'shop', cluster: 'prod-eu' })).toEqual(['Scheduled', 'OOMKilling']);
      expect(await reasons({ fromMs: T0 + MINUTE, toMs: T0 + 2 * MINUTE })).toEqual(['Scheduled']);
      expect(await reasons({ limit: 1 })).toEqual(['FailedMount']);
    });
  });
}
