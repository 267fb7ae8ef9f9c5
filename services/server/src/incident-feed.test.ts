import { describe, expect, it } from 'vitest';
import type { Incident } from '@sleuth/core';
import { IncidentFeed, classifyChange, type IncidentNotice } from './incident-feed';

const base: Incident = {
  id: 'inc_1',
  title: 'api restarts',
  status: 'open',
  severity: 'medium',
  startMs: 1_000,
  updatedMs: 2_000,
  resources: [{ cluster: 'eu', namespace: 'shop', kind: 'Pod', name: 'api-1' }],
  anomalyIds: ['a1'],
  rootCauses: [],
};
const cause = (id: string, confidence: number, rank: number): Incident['rootCauses'][number] => ({
  id,
  failureMode: 'crash-loop',
  resource: base.resources[0]!,
  hypothesis: 'api is crash-looping',
  confidence,
  rank,
  evidence: [],
  origin: 'rules',
});

describe('classifyChange', () => {
  it('says opened, resolved and reopened from the status, updated for what a watcher cares about', () => {
    expect(classifyChange(undefined, base)).toBe('opened');
    const resolved = { ...base, status: 'resolved' as const, resolvedMs: 9_000 };
    expect(classifyChange(base, resolved)).toBe('resolved');
    expect(classifyChange(resolved, base)).toBe('reopened');
    expect(classifyChange(base, { ...base, anomalyIds: ['a1', 'a2'] })).toBe('updated');
    expect(classifyChange(base, { ...base, severity: 'high' })).toBe('updated');
    expect(classifyChange(base, { ...base, rootCauses: [cause('rc1', 0.9, 1)] })).toBe('updated');
    const ranked = { ...base, rootCauses: [cause('rc1', 0.9, 1), cause('rc2', 0.5, 2)] };
    expect(
      classifyChange(ranked, { ...ranked, rootCauses: [cause('rc2', 0.95, 1), cause('rc1', 0.9, 2)] }),
    ).toBe('updated');
  });

  it('stays quiet when only the times moved', () => {
    expect(classifyChange(base, { ...base, updatedMs: 5_000 })).toBeUndefined();
  });
});

describe('IncidentFeed', () => {
  it('tells every listener, names the top cause, survives a failing listener and unsubscribes', () => {
    const feed = new IncidentFeed();
    const seen: IncidentNotice[] = [];
    const stop = feed.subscribe((n) => seen.push(n));
    feed.subscribe(() => {
      throw new Error('a broken client');
    });
    feed.publish({ ...base, rootCauses: [cause('rc2', 0.5, 2), cause('rc1', 0.9, 1)] }, undefined);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ change: 'opened', id: 'inc_1', clusters: ['eu'], anomalies: 1 });
    expect(seen[0]?.topRootCause?.id).toBe('rc1');
    feed.publish({ ...base, updatedMs: 3_000 }, base);
    expect(seen).toHaveLength(1);
    stop();
    stop();
    expect(feed.subscribers).toBe(1);
  });
});
