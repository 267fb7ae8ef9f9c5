import { describe, expect, it } from 'vitest';
import type { LogRecord } from '@sleuth/core';
import { batchOf, event, HOUR, log, MINUTE, point, SECOND, snapshot, span, T0 } from './fixtures';
import { useStore, type MakeStore } from './harness';

const NOW = T0 + 10 * HOUR;
const OLD = NOW - 5 * HOUR;
const RECENT = NOW - HOUR;

/** Filler text so the size test stores megabytes, not kilobytes. */
function filler(i: number): string {
  return Array.from({ length: 12 }, (_, k) => `w${(i * 31 + k * 7) % 997}x${k}`).join(' ');
}

export function retentionContract(make: MakeStore): void {
  describe('retention', () => {
    const ref = useStore(make, 'each');

    it('deletes signals older than maxAge and keeps newer ones, anomalies, incidents and object state', async () => {
      const ref0 = { cluster: 'prod-eu', namespace: 'shop', kind: 'Deployment', name: 'cart', uid: 'u-cart' };
      await ref.store.writeBatch(
        batchOf({
          logs: [log({ timeMs: OLD, body: 'old line' }), log({ timeMs: RECENT, body: 'recent line' })],
          metrics: [point('up', OLD, 1), point('up', RECENT, 1), point('gone', OLD, 1)],
          spans: [
            span({ spanId: '0000000000000001', startMs: OLD }),
            span({ spanId: '0000000000000002', startMs: RECENT }),
          ],
          events: [
            event({ uid: 'old', reason: 'Old', lastMs: OLD }),
            event({ uid: 'new', reason: 'New', lastMs: RECENT }),
          ],
          objects: [snapshot({ timeMs: OLD, resourceVersion: '1' })],
        }),
      );
      await ref.store.putIncident({
        id: 'inc_old',
        title: 'old incident',
        status: 'resolved',
        severity: 'low',
        startMs: OLD,
        updatedMs: OLD,
        resolvedMs: OLD,
        resources: [ref0],
        anomalyIds: [],
        rootCauses: [],
      });
      const report = await ref.store.enforceRetention({
        maxAgeMs: 2 * HOUR,
        maxBytes: Number.MAX_SAFE_INTEGER,
        nowMs: NOW,
      });
      expect(report.deleted).toMatchObject({ logs: 1, metrics: 2, spans: 1, events: 1 });
      expect((await ref.store.searchLogs({})).records.map((r) => r.body)).toEqual(['recent line']);
      expect((await ref.store.querySeries({ name: 'up', fromMs: 0, toMs: NOW })).series[0]?.points).toEqual([
        [RECENT, 1],
      ]);
      expect(await ref.store.listSeries({ name: 'gone' })).toEqual([]);
      expect((await ref.store.searchSpans({})).map((s) => s.spanId)).toEqual(['0000000000000002']);
      expect((await ref.store.listEvents({})).map((e) => e.reason)).toEqual(['New']);
      expect(await ref.store.getObject(ref0)).toMatchObject({ resourceVersion: '1' });
      expect(await ref.store.getIncident('inc_old')).toMatchObject({ title: 'old incident' });
    });

    it('deletes the oldest signals first until the store is under maxBytes', async () => {
      const total = 12_000;
      for (let b = 0; b < total / 2_000; b++) {
        const logs: LogRecord[] = Array.from({ length: 2_000 }, (_, k) => {
          const i = b * 2_000 + k;
          return log({ timeMs: T0 + i * SECOND, body: `line ${i} ${filler(i)}` });
        });
        await ref.store.writeBatch(batchOf({ logs }));
      }
      const before = (await ref.store.stats()).bytes;
      const maxBytes = Math.floor(before / 2);
      const report = await ref.store.enforceRetention({
        maxAgeMs: 365 * 24 * HOUR,
        maxBytes,
        nowMs: T0 + total * SECOND,
      });
      expect(report.bytesAfter).toBeLessThanOrEqual(maxBytes);
      expect((await ref.store.stats()).bytes).toBeLessThanOrEqual(maxBytes);
      expect(report.deleted.logs).toBeGreaterThan(0);
      expect(report.deleted.logs).toBeLessThan(total);
      const kept = (await ref.store.searchLogs({ limit: 1000 })).records;
      expect(kept[0]?.body).toMatch(new RegExp(`^line ${total - 1} `));
      const oldest = await ref.store.searchLogs({ toMs: T0 + MINUTE });
      expect(oldest.records).toEqual([]);
      const survivors = (await ref.store.stats()).counts.logs;
      expect(survivors).toBe(total - report.deleted.logs);
      const firstKept = await ref.store.searchLogs({
        fromMs: T0 + report.deleted.logs * SECOND,
        toMs: T0 + (report.deleted.logs + 1) * SECOND,
      });
      expect(firstKept.records).toHaveLength(1);
    });
  });

  describe('durability', () => {
    const ref = useStore(make, 'each');

    it('keeps everything a resolved writeBatch wrote after the store is reopened', async (ctx) => {
      const reopen = ref.harness.reopen;
      if (!reopen) {
        ctx.skip();
        return;
      }
      await ref.store.writeBatch(
        batchOf({
          logs: [log({ timeMs: T0, body: 'durable line' })],
          metrics: [point('durable_metric', T0, 42)],
          spans: [span({ spanId: '0000000000000009', startMs: T0 })],
          events: [event({ uid: 'd1', reason: 'Durable', lastMs: T0 })],
          objects: [snapshot({ timeMs: T0, resourceVersion: '9' })],
        }),
      );
      const store = await reopen();
      expect((await store.searchLogs({ q: 'durable' })).records.map((r) => r.body)).toEqual(['durable line']);
      expect(
        (await store.querySeries({ name: 'durable_metric', fromMs: T0, toMs: T0 + 1 })).series[0]?.points,
      ).toEqual([[T0, 42]]);
      expect(await store.searchSpans({})).toHaveLength(1);
      expect((await store.listEvents({})).map((e) => e.reason)).toEqual(['Durable']);
      expect((await store.listObjects({})).map((o) => o.resourceVersion)).toEqual(['9']);
      await store.writeBatch(batchOf({ logs: [log({ timeMs: T0, body: 'durable again' })] }));
      expect((await store.searchLogs({ q: 'durable' })).records).toHaveLength(2);
    });
  });
}
