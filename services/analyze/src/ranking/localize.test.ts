import { describe, expect, it } from 'vitest';
import type { Anomaly, ResourceRef } from '@sleuth/core';
import { buildTopology } from '../topology/build';
import { localizeRootCause, topologyUnits, type CallEdge } from './localize';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const dep = (name: string): ResourceRef => ({ cluster: 'prod', namespace: 'shop', kind: 'Deployment', name });

let n = 0;
function anomaly(
  resource: ResourceRef,
  onsetS: number,
  score: number,
  signal: 'trace' | 'series' | 'log' = 'trace',
): Anomaly {
  const id = `anm_${++n}`;
  const ref: Anomaly['signal'] =
    signal === 'trace'
      ? { kind: 'trace', traceId: 'a'.repeat(32) }
      : signal === 'log'
        ? { kind: 'log', ids: ['1'] }
        : { kind: 'series', name: 'cpu', labels: {}, fromMs: T0, toMs: T0 + 60_000 };
  return {
    id,
    detector: signal === 'trace' ? 'traces' : signal === 'log' ? 'log-templates' : 'metrics',
    resource,
    signal: ref,
    onsetMs: T0 + onsetS * 1000,
    lastSeenMs: T0 + onsetS * 1000 + 60_000,
    score,
    title: `${resource.name} ${signal}`,
    explanation: '',
  };
}

// web → checkout → payments → db
const CHAIN: CallEdge[] = [
  { caller: dep('web'), callee: dep('checkout') },
  { caller: dep('checkout'), callee: dep('payments') },
  { caller: dep('payments'), callee: dep('db') },
];

describe('localizeRootCause', () => {
  it('keeps a call-edge locus first: a slower callee does not explain it, and it explains its callee', () => {
    const locus = { ...anomaly(dep('checkout'), 0, 0.75), detector: 'call-edges' };
    const ranked = localizeRootCause(
      [anomaly(dep('web'), 0, 0.9), locus, anomaly(dep('payments'), 30, 0.8, 'log')],
      CHAIN,
    );
    expect(ranked[0]?.resource.name).toBe('checkout');
    expect(ranked[0]?.explainedBy).toEqual([]);
    expect(ranked[0]?.explains.map((r) => r.name).sort()).toEqual(['payments', 'web']);
    expect(ranked.find((c) => c.resource.name === 'payments')?.explainedBy.map((r) => r.name)).toEqual([
      'checkout',
    ]);
  });

  it('halves anomalous units with no call path to a call-edge locus', () => {
    const locus = { ...anomaly(dep('db'), 0, 0.6), detector: 'call-edges' };
    const ranked = localizeRootCause(
      [locus, anomaly(dep('search'), 0, 0.95, 'series'), anomaly(dep('web'), 0, 0.2, 'series')],
      [...CHAIN, { caller: dep('web'), callee: dep('search') }],
    );
    expect(ranked[0]?.resource.name).toBe('db');
    expect(ranked.find((c) => c.resource.name === 'search')?.reason).toContain('no call path');
  });

  it('gives nothing for no anomalies', () => {
    expect(localizeRootCause([], CHAIN)).toEqual([]);
  });

  it('ranks the callee that degraded first above its callers, whose anomalies it explains', () => {
    const payments = anomaly(dep('payments'), 0, 0.7);
    const ranked = localizeRootCause(
      [anomaly(dep('web'), 60, 0.9), anomaly(dep('checkout'), 30, 0.95), payments],
      CHAIN,
    );
    expect(ranked.map((c) => c.resource.name)).toEqual(['payments', 'checkout', 'web']);
    expect(ranked[0]?.anomalyIds).toEqual([payments.id]);
    expect(ranked[0]?.explains.map((r) => r.name).sort()).toEqual(['checkout', 'web']);
    expect(ranked[1]?.explainedBy.map((r) => r.name)).toContain('payments');
    expect(ranked[0]?.rank).toBe(1);
  });

  it('does not blame a callee whose trouble began well after its caller’s', () => {
    const ranked = localizeRootCause(
      [anomaly(dep('checkout'), 0, 0.8), anomaly(dep('payments'), 600, 0.8)],
      CHAIN,
    );
    expect(ranked[0]?.resource.name).toBe('checkout');
  });

  it('keeps an unrelated noisy service with stronger anomalies below the symptom chain', () => {
    const ranked = localizeRootCause(
      [
        anomaly(dep('checkout'), 20, 0.8),
        anomaly(dep('payments'), 0, 0.6),
        anomaly(dep('batch-reports'), 0, 1, 'trace'),
        anomaly(dep('batch-reports'), 0, 1, 'series'),
      ],
      [...CHAIN, { caller: dep('cron'), callee: dep('batch-reports') }],
    );
    expect(ranked[0]?.resource.name).toBe('payments');
    expect(ranked.find((c) => c.resource.name === 'batch-reports')?.reason).toContain('no call links it');
  });

  it('counts a fault seen in metrics, traces and logs above one seen in a single signal', () => {
    const a = dep('search');
    const b = dep('cart');
    const ranked = localizeRootCause(
      [
        anomaly(a, 0, 0.6, 'trace'),
        anomaly(a, 0, 0.6, 'series'),
        anomaly(a, 0, 0.6, 'log'),
        anomaly(b, 0, 0.8),
      ],
      [],
    );
    expect(ranked.map((c) => c.resource.name)).toEqual(['search', 'cart']);
    expect(ranked[0]?.signals).toEqual(['logs', 'metrics', 'traces']);
  });

  it('folds pods onto their workload through the topology and follows its calls edges', () => {
    const pod = (name: string, app: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: 'shop',
        labels: { app },
        ownerReferences: [{ kind: 'ReplicaSet', name: `${app}-rs`, uid: `${app}-rs-uid`, controller: true }],
      },
      spec: { containers: [{ name: app }] },
      status: { phase: 'Running' },
    });
    const rs = (app: string) => ({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${app}-rs`,
        namespace: 'shop',
        uid: `${app}-rs-uid`,
        ownerReferences: [{ kind: 'Deployment', name: app, uid: `${app}-uid`, controller: true }],
      },
    });
    const deployment = (app: string) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app, namespace: 'shop', uid: `${app}-uid` },
      spec: { selector: { matchLabels: { app } } },
    });
    const service = (app: string) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: app, namespace: 'shop' },
      spec: { selector: { app } },
    });
    const objects = ['checkout', 'payments'].flatMap((app) => [
      pod(`${app}-1`, app),
      rs(app),
      deployment(app),
      service(app),
    ]);
    const snapshots = objects.map((object) => ({
      ref: {
        cluster: 'prod',
        namespace: 'shop',
        kind: object.kind,
        name: object.metadata.name,
        ...('uid' in object.metadata ? { uid: object.metadata.uid } : {}),
      },
      apiVersion: object.apiVersion,
      timeMs: T0,
      deleted: false,
      object,
    }));
    const graph = buildTopology(
      'prod',
      snapshots,
      [
        {
          from: { service: 'checkout', cluster: 'prod', namespace: 'shop' },
          to: { service: 'payments', cluster: 'prod', namespace: 'shop' },
          calls: 100,
          errors: 0,
          meanDurationMs: 20,
        },
      ],
      T0,
    );
    const { calls, unitOf } = topologyUnits(graph);
    const podRef = (name: string): ResourceRef => ({ cluster: 'prod', namespace: 'shop', kind: 'Pod', name });
    const ranked = localizeRootCause(
      [
        anomaly(podRef('checkout-1'), 10, 0.9),
        anomaly(dep('payments'), 0, 0.6),
        anomaly(podRef('payments-1'), 0, 0.5, 'series'),
      ],
      calls,
      { unitOf },
    );
    expect(ranked.map((c) => `${c.resource.kind}/${c.resource.name}`)).toEqual([
      'Deployment/payments',
      'Deployment/checkout',
    ]);
    expect(ranked[0]?.signals).toEqual(['metrics', 'traces']);
  });
});
