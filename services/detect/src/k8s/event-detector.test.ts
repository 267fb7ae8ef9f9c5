import type { K8sEvent } from '@sleuth/core';
import { describe, expect, it } from 'vitest';
import { K8sEventDetector } from './event-detector';
import { T0, batch, event, min, node, pod, sec, untyped } from './testing/fixtures';

const api = pod();
const backOff = (lastMs: number, count: number, uid = 'ev-a', firstMs = T0) =>
  event(api, 'BackOff', {
    message: 'Back-off restarting failed container api in pod api-7f9_shop(uid-1)',
    firstMs,
    lastMs,
    count,
    uid,
  });

describe('K8sEventDetector', () => {
  it('classifies a Warning by reason: a BackOff is a high crash anomaly with the event as evidence', () => {
    const [a] = new K8sEventDetector().observe(batch([], [backOff(T0, 1)]));
    expect(a).toMatchObject({
      detector: 'k8s-events',
      title: 'BackOff: pod shop/api-7f9: Back-off restarting failed container api in pod api-7f9_shop(uid-1)',
      resource: api.ref,
      signal: { kind: 'event', ids: ['ev-a'] },
      onsetMs: T0,
      lastSeenMs: T0,
      score: 0.8,
    });
    expect(a?.explanation).toContain('(crash, high)');
    expect(a?.endMs).toBeUndefined();
  });

  it('gives a reason it does not know a low score in category other', () => {
    const [a] = new K8sEventDetector().observe(
      batch([], [event(node('node-a'), 'SomethingOdd', { lastMs: T0 })]),
    );
    expect(a).toMatchObject({ title: 'SomethingOdd: node node-a: SomethingOdd happened', score: 0.4 });
    expect(a?.explanation).toContain('(other, low)');
  });

  it('folds repeats of the same object and reason into one anomaly, counting each series once', () => {
    const d = new K8sEventDetector();
    const out: ReturnType<K8sEventDetector['observe']> = [];
    for (let i = 1; i <= 5; i++) out.push(...d.observe(batch([], [backOff(T0 + sec(10 * (i - 1)), i)])));
    out.push(...d.observe(batch([], [backOff(T0 + sec(40), 5)]))); // the same occurrence delivered twice
    out.push(...d.observe(batch([], [backOff(T0 + sec(50), 2, 'ev-b', T0 + sec(45))])));
    expect(out).toHaveLength(1);
    out.push(...d.tick(T0 + sec(70)));
    expect(out).toHaveLength(2);
    expect(out[1]).toMatchObject({
      id: out[0]?.id,
      lastSeenMs: T0 + sec(50),
      signal: { ids: ['ev-a', 'ev-b'] },
    });
    expect(out[1]?.explanation).toContain('7 occurrences');
    expect(d.tick(T0 + sec(80))).toEqual([]);
  });

  it('ends an anomaly whose reason was quiet for ten minutes, at its last occurrence; a recurrence is a new one', () => {
    const d = new K8sEventDetector();
    const [opened] = d.observe(batch([], [backOff(T0, 1)]));
    expect(d.observe(batch([], [backOff(T0 + min(2), 2)]))).toEqual([
      expect.objectContaining({ id: opened?.id, lastSeenMs: T0 + min(2) }),
    ]);
    expect(d.tick(T0 + min(11))).toEqual([]);
    const [ended] = d.tick(T0 + min(12));
    expect(ended).toMatchObject({ id: opened?.id, endMs: T0 + min(2), lastSeenMs: T0 + min(2) });
    expect(ended?.explanation).toContain('2 occurrences');
    expect(d.stats().open).toBe(0);
    const [again] = d.observe(batch([], [backOff(T0 + min(30), 3)]));
    expect(again?.id).not.toBe(opened?.id);
    expect(again?.onsetMs).toBe(T0 + min(30));
  });

  it('gives the same id after a restart that sees a later occurrence of the same series', () => {
    const [a] = new K8sEventDetector().observe(batch([], [backOff(T0, 1)]));
    const [b] = new K8sEventDetector().observe(batch([], [backOff(T0 + min(3), 9)]));
    expect(b?.id).toBe(a?.id);
  });

  it('caps new anomalies per cluster per minute, counts the suppressed ones, and never limits repeats', () => {
    const d = new K8sEventDetector({ maxNewPerClusterPerMinute: 5 });
    const burst = (atMs: number, from: number): K8sEvent[] =>
      Array.from({ length: 8 }, (_, i) =>
        event(pod({ name: `web-${from + i}` }), 'Unhealthy', { lastMs: atMs }),
      );
    expect(d.observe(batch([], burst(T0, 0)))).toHaveLength(5);
    expect(d.stats()).toMatchObject({ open: 5, suppressed: 3, suppressedByCluster: { prod: 3 } });
    const repeats = Array.from({ length: 5 }, (_, i) =>
      event(pod({ name: `web-${i}` }), 'Unhealthy', { lastMs: T0 + min(2), count: 2 }),
    );
    expect(d.observe(batch([], repeats))).toHaveLength(5);
    expect(d.observe(batch([], burst(T0 + min(1), 100)))).toHaveLength(5);
    expect(d.stats()).toMatchObject({ open: 10, suppressed: 6 });
  });

  it('ignores Normal events and skips and counts unreadable ones', () => {
    const d = new K8sEventDetector();
    const normal = event(api, 'Pulled', { type: 'Normal', lastMs: T0 });
    const noCount = { ...backOff(T0, 1), count: 0 };
    const noReason = { ...backOff(T0, 1), reason: '' };
    const garbage: unknown[] = [normal, noCount, noReason, null];
    expect(d.observe(batch([], untyped<K8sEvent>(garbage)))).toEqual([]);
    expect(d.stats()).toMatchObject({ open: 0, skipped: 3 });
  });

  it('holds at most maxOpen anomalies and counts what it drops', () => {
    const d = new K8sEventDetector({ maxOpen: 2 });
    const events = ['a', 'b', 'c'].map((n) => event(pod({ name: n }), 'BackOff', { lastMs: T0 }));
    expect(d.observe(batch([], events))).toHaveLength(2);
    expect(d.stats()).toMatchObject({ open: 2, dropped: 1 });
  });
});
