import { describe, expect, it } from 'vitest';
import { ValidationError, type Alert, type NotificationDelivery } from '@sleuth/core';
import type { AlertQuery, NotificationQuery } from '../queries';
import { batchOf, HOUR, log, MINUTE, SECOND, T0 } from './fixtures';
import { useStore, type MakeStore } from './harness';

type AlertCursor = NonNullable<AlertQuery['before']>;
type NotificationCursor = NonNullable<NotificationQuery['before']>;

const CART_POD = { cluster: 'prod-eu', namespace: 'shop', kind: 'Pod', name: 'cart-7d9f-abc12' };

function alert(id: string, over: Partial<Alert> = {}): Alert {
  return {
    id,
    receiver: 'am-prod',
    source: 'alertmanager',
    fingerprint: `fp_${id}`,
    name: 'KubePodCrashLooping',
    status: 'firing',
    startsAt: T0,
    labels: { alertname: 'KubePodCrashLooping' },
    annotations: {},
    cluster: 'prod-eu',
    resources: [],
    receivedMs: T0,
    updatedMs: T0,
    deliveries: 1,
    ...over,
  };
}

/** An alert with every optional field set. */
const FULL_ALERT = alert('alt_full', {
  source: 'grafana',
  fingerprint: 'a1b2c3d4e5f60718',
  severity: 'critical',
  endsAt: T0 + 10 * MINUTE,
  status: 'resolved',
  labels: { alertname: 'KubePodCrashLooping', namespace: 'shop', pod: CART_POD.name, severity: 'critical' },
  annotations: { summary: 'cart restarts', description: 'cart-7d9f-abc12 restarted 5 times in 10 minutes' },
  generatorUrl: 'https://grafana.example/alerting/grafana/cart-restarts/view',
  groupKey: '{}/{namespace="shop"}:{alertname="KubePodCrashLooping"}',
  resources: [CART_POD, { cluster: 'prod-eu', namespace: 'shop', kind: 'Deployment', name: 'cart' }],
  incidentId: 'inc_1',
  receivedMs: T0 + SECOND,
  updatedMs: T0 + 10 * MINUTE,
  deliveries: 4,
});

function notification(id: string, over: Partial<NotificationDelivery> = {}): NotificationDelivery {
  return {
    id,
    channel: 'slack-sre',
    incidentId: 'inc_1',
    event: 'opened',
    status: 'pending',
    attempts: 0,
    createdMs: T0,
    updatedMs: T0,
    payload: '{"text":"cart is crash-looping"}',
    ...over,
  };
}

/** Reads every page of `size` items, each from the last item of the one before. */
async function pageThrough<T, C>(
  read: (before: C | undefined) => Promise<T[]>,
  cursor: (last: T) => C,
  size: number,
): Promise<{ items: T[]; sizes: number[] }> {
  const items: T[] = [];
  const sizes: number[] = [];
  let before: C | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await read(before);
    items.push(...page);
    sizes.push(page.length);
    const last = page.at(-1);
    if (page.length < size || !last) break;
    before = cursor(last);
  }
  return { items, sizes };
}

/** The items in a fixed scrambled order (7 is prime to the 25 items the paging tests use). */
function scrambled<T>(items: T[]): T[] {
  return items.map((_, i) => items[(i * 7) % items.length]).filter((x): x is T => x !== undefined);
}

/** Newest first by the given time, ties broken by id, descending: the order listings promise. */
function newestFirst<T extends { id: string }>(items: T[], time: (t: T) => number): string[] {
  return [...items].sort((a, b) => time(b) - time(a) || (a.id < b.id ? 1 : -1)).map((t) => t.id);
}

export function alertContract(make: MakeStore): void {
  describe('alerts', () => {
    const ref = useStore(make, 'each');
    const ids = async (q: AlertQuery): Promise<string[]> => (await ref.store.listAlerts(q)).map((a) => a.id);

    it('round-trips alerts with every field, and without the optional ones', async () => {
      const bare = alert('alt_bare');
      await ref.store.putAlerts([FULL_ALERT, bare]);
      expect(await ref.store.getAlerts(['alt_full', 'alt_bare'])).toEqual([FULL_ALERT, bare]);
      expect(await ref.store.listAlerts({})).toEqual([FULL_ALERT, bare]);
      await ref.store.putAlerts([]);
      expect(await ref.store.getAlerts([])).toEqual([]);
    });

    it('replaces an alert put again by id instead of adding another', async () => {
      await ref.store.putAlerts([alert('alt_1'), alert('alt_2', { updatedMs: T0 + MINUTE })]);
      const resolved = alert('alt_1', {
        status: 'resolved',
        endsAt: T0 + 5 * MINUTE,
        updatedMs: T0 + 5 * MINUTE,
        deliveries: 3,
        incidentId: 'inc_1',
      });
      await ref.store.putAlerts([resolved]);
      expect(await ref.store.getAlerts(['alt_1'])).toEqual([resolved]);
      expect(await ids({})).toEqual(['alt_1', 'alt_2']);
      expect(await ids({ status: 'firing' })).toEqual(['alt_2']);
      expect(await ids({ incidentId: 'inc_1' })).toEqual(['alt_1']);
      expect((await ref.store.stats()).counts.alerts).toBe(2);
    });

    it('gets only the known alerts among thousands of ids, in the order asked', async () => {
      const stored = Array.from({ length: 2_500 }, (_, i) => alert(`alt_${String(i).padStart(4, '0')}`));
      await ref.store.putAlerts(stored);
      const asked = stored.flatMap((a, i) => (i % 2 === 0 ? [a.id, `alt_unknown_${i}`] : [a.id])).reverse();
      const got = await ref.store.getAlerts([...asked, 'alt_0007']);
      expect(got).toHaveLength(2_500);
      expect(got.map((a) => a.id)).toEqual(stored.map((a) => a.id).reverse());
      expect(got.at(-1)).toEqual(stored[0]);
      expect(await ref.store.getAlerts(['alt_unknown', 'alt_0001'])).toEqual([stored[1]]);
    });

    it('lists alerts newest first with id breaking ties, by each filter', async () => {
      const T3 = T0 + 3 * MINUTE;
      await ref.store.putAlerts([
        alert('a1', { fingerprint: 'fp_x', incidentId: 'inc_1', updatedMs: T0 + MINUTE }),
        alert('a2', { fingerprint: 'fp_x', status: 'resolved', incidentId: 'inc_1', updatedMs: T3 }),
        alert('a3', { receiver: 'grafana', fingerprint: 'fp_y', updatedMs: T3 }),
        alert('a4', { fingerprint: 'fp_z', incidentId: 'inc_2', updatedMs: T0 + 2 * MINUTE }),
        alert('a5', { receiver: 'grafana', fingerprint: 'fp_x', incidentId: 'inc_1', updatedMs: T3 }),
      ]);
      expect(await ids({})).toEqual(['a5', 'a3', 'a2', 'a4', 'a1']);
      expect(await ids({ receiver: 'am-prod' })).toEqual(['a2', 'a4', 'a1']);
      expect(await ids({ receiver: 'grafana' })).toEqual(['a5', 'a3']);
      expect(await ids({ status: 'resolved' })).toEqual(['a2']);
      expect(await ids({ status: 'firing' })).toEqual(['a5', 'a3', 'a4', 'a1']);
      expect(await ids({ incidentId: 'inc_1' })).toEqual(['a5', 'a2', 'a1']);
      expect(await ids({ incidentId: 'inc_404' })).toEqual([]);
      expect(await ids({ fingerprint: 'fp_x' })).toEqual(['a5', 'a2', 'a1']);
      expect(await ids({ receiver: 'am-prod', fingerprint: 'fp_x' })).toEqual(['a2', 'a1']);
      expect(await ids({ incidentId: 'inc_1', before: { updatedMs: T3, id: 'a5' } })).toEqual(['a2', 'a1']);
      for (const bad of [{ limit: 0 }, { limit: 1001 }, { receiver: '' }, { fingerprint: 'f'.repeat(201) }]) {
        const err: unknown = await ref.store.listAlerts(bad).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ValidationError);
        expect(String(err)).toMatch(new RegExp(Object.keys(bad)[0] ?? ''));
      }
    });

    it('pages through alerts with `before` without gaps or repeats', async () => {
      // Three alerts per second, put in a scrambled order: ties fall on page boundaries.
      const all = Array.from({ length: 25 }, (_, i) =>
        alert(`alt_${String(i).padStart(2, '0')}`, { updatedMs: T0 + Math.floor(i / 3) * SECOND }),
      );
      await ref.store.putAlerts(scrambled(all));
      const { items, sizes } = await pageThrough<Alert, AlertCursor>(
        (before) => ref.store.listAlerts({ limit: 10, ...(before ? { before } : {}) }),
        (last) => ({ updatedMs: last.updatedMs, id: last.id }),
        10,
      );
      expect(sizes).toEqual([10, 10, 5]);
      expect(items.map((a) => a.id)).toEqual(newestFirst(all, (a) => a.updatedMs));
    });

    it('rejects a batch with an invalid alert and stores none of it', async () => {
      const batch = [alert('alt_ok'), alert('alt_bad', { name: '' }), alert('alt_ok2')];
      const err: unknown = await ref.store.putAlerts(batch).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect(String(err)).toMatch(/name/);
      expect(await ref.store.getAlerts(['alt_ok', 'alt_bad', 'alt_ok2'])).toEqual([]);
      expect((await ref.store.stats()).counts.alerts).toBe(0);
    });
  });

  describe('notification deliveries', () => {
    const ref = useStore(make, 'each');
    const ids = async (q: NotificationQuery): Promise<string[]> =>
      (await ref.store.listNotifications(q)).map((n) => n.id);

    it('round-trips a delivery and replaces it by id as its state moves on', async () => {
      const pending = notification('ntf_1', {
        event: 'diagnosed',
        attempts: 1,
        lastStatusCode: 503,
        lastError: 'the channel answered 503 Service Unavailable',
        nextAttemptMs: T0 + 30 * SECOND,
        updatedMs: T0 + SECOND,
      });
      await ref.store.putNotification(pending);
      expect(await ref.store.listNotifications({})).toEqual([pending]);
      const delivered = notification('ntf_1', {
        event: 'diagnosed',
        status: 'delivered',
        attempts: 2,
        lastStatusCode: 200,
        updatedMs: T0 + 31 * SECOND,
        deliveredMs: T0 + 31 * SECOND,
      });
      await ref.store.putNotification(delivered);
      expect(await ref.store.listNotifications({})).toEqual([delivered]);
      expect(await ids({ status: 'pending' })).toEqual([]);
      expect((await ref.store.stats()).counts.notifications).toBe(1);

      const err: unknown = await ref.store
        .putNotification(notification('ntf_2', { channel: '' }))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect(String(err)).toMatch(/channel/);
      expect(await ids({})).toEqual(['ntf_1']);
    });

    it('lists deliveries newest first with id breaking ties, by each filter', async () => {
      const all = [
        notification('n1', { status: 'delivered', createdMs: T0 + MINUTE }),
        notification('n2', { channel: 'webhook-ops', createdMs: T0 + 2 * MINUTE }),
        notification('n3', { incidentId: 'inc_2', status: 'failed', createdMs: T0 + 2 * MINUTE }),
        notification('n4', { createdMs: T0 + 3 * MINUTE }),
      ];
      for (const n of all) await ref.store.putNotification(n);
      expect(await ids({})).toEqual(['n4', 'n3', 'n2', 'n1']);
      expect(await ids({ channel: 'slack-sre' })).toEqual(['n4', 'n3', 'n1']);
      expect(await ids({ status: 'pending' })).toEqual(['n4', 'n2']);
      expect(await ids({ incidentId: 'inc_1' })).toEqual(['n4', 'n2', 'n1']);
      expect(await ids({ incidentId: 'inc_1', channel: 'slack-sre' })).toEqual(['n4', 'n1']);
      expect(await ids({ status: 'pending', channel: 'webhook-ops' })).toEqual(['n2']);
      expect(await ids({ before: { createdMs: T0 + 2 * MINUTE, id: 'n3' } })).toEqual(['n2', 'n1']);
      for (const limit of [0, 1001]) {
        const err: unknown = await ref.store.listNotifications({ limit }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ValidationError);
        expect(String(err)).toMatch(/limit/);
      }
    });

    it('pages through deliveries with `before` without gaps or repeats', async () => {
      const all = Array.from({ length: 25 }, (_, i) =>
        notification(`ntf_${String(i).padStart(2, '0')}`, { createdMs: T0 + Math.floor(i / 4) * SECOND }),
      );
      for (const n of scrambled(all)) await ref.store.putNotification(n);
      const { items, sizes } = await pageThrough<NotificationDelivery, NotificationCursor>(
        (before) => ref.store.listNotifications({ limit: 10, ...(before ? { before } : {}) }),
        (last) => ({ createdMs: last.createdMs, id: last.id }),
        10,
      );
      expect(sizes).toEqual([10, 10, 5]);
      expect(items.map((n) => n.id)).toEqual(newestFirst(all, (n) => n.createdMs));
    });
  });

  describe('alert and notification durability and retention', () => {
    const ref = useStore(make, 'each');
    const alerts = [FULL_ALERT, alert('alt_bare')];
    const deliveries = [
      notification('ntf_1', { status: 'delivered', attempts: 1, deliveredMs: T0 + SECOND }),
      notification('ntf_2', { channel: 'webhook-ops', createdMs: T0 + SECOND }),
    ];

    async function seed(): Promise<void> {
      await ref.store.putAlerts(alerts);
      for (const n of deliveries) await ref.store.putNotification(n);
    }

    it('keeps alerts and deliveries after the store is reopened', async (ctx) => {
      const reopen = ref.harness.reopen;
      if (!reopen) {
        ctx.skip();
        return;
      }
      await seed();
      const store = await reopen();
      expect(await store.getAlerts(['alt_full', 'alt_bare'])).toEqual(alerts);
      expect(await store.listNotifications({})).toEqual([...deliveries].reverse());
      await store.putAlerts([{ ...FULL_ALERT, deliveries: 5 }]);
      expect((await store.getAlerts(['alt_full']))[0]?.deliveries).toBe(5);
    });

    it('keeps them through retention by age and by size, and counts them in stats', async () => {
      expect((await ref.store.stats()).counts).toMatchObject({ alerts: 0, notifications: 0 });
      await seed();
      await ref.store.writeBatch(batchOf({ logs: [log({ timeMs: T0, body: 'old line' })] }));
      const report = await ref.store.enforceRetention({ maxAgeMs: 1, maxBytes: 1, nowMs: T0 + 10 * HOUR });
      expect(report.deleted.logs).toBe(1);
      expect(await ref.store.getAlerts(['alt_full', 'alt_bare'])).toEqual(alerts);
      expect((await ref.store.listNotifications({})).map((n) => n.id)).toEqual(['ntf_2', 'ntf_1']);
      expect((await ref.store.stats()).counts).toMatchObject({ alerts: 2, notifications: 2 });
    });
  });
}
