import { describe, expect, it } from 'vitest';
import { seededRandom, type Anomaly, type ResourceRef, type Span } from '@sleuth/core';
import { callEdgeAnomalies, callEdgeLoci, callEdgeShifts } from './call-edges';
import { localizeRootCause, type CallEdge } from './localize';
import { spanShifts, spanUnit } from './window-shift';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const W = { fromMs: T0, incidentFromMs: T0 + 10 * 60_000, toMs: T0 + 13 * 60_000 };
const dep = (name: string): ResourceRef => ({ cluster: 'prod', namespace: 'shop', kind: 'Deployment', name });

/**
 * gateway, mobile → checkout → {payments, inventory}; orders → payments. Per request, each service
 * spends `self` ms of its own and each call spends `gap` ms between the pods (both ways).
 */
interface Trouble {
  /** Extra ms between the pods on every call into this service (network delay on its pod). */
  delayedInto?: string;
  /** This service's own processing and its reads of replies are this many times slower. */
  starved?: string;
}

const CALLS: Record<string, string[]> = {
  gateway: ['checkout'],
  mobile: ['checkout'],
  checkout: ['payments', 'inventory'],
  orders: ['payments'],
  payments: [],
  inventory: [],
};

let ids = 0;
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

function request(root: string, startMs: number, r: () => number, t: Trouble): Span[] {
  const traceId = hex(++ids, 32);
  const spans: Span[] = [];
  // Returns the server span's duration.
  const serve = (service: string, atMs: number, parentSpanId?: string): number => {
    const spanId = hex(++ids, 16);
    const slow = t.starved === service ? 20 : 1;
    let at = atMs + (5 + 2 * r()) * slow;
    for (const callee of CALLS[service] ?? []) {
      const clientId = hex(++ids, 16);
      const gap = (3 + r()) * (t.starved === service || t.starved === callee ? 20 : 1);
      const delay = t.delayedInto === callee ? 200 : 0;
      const inner = serve(callee, at + gap / 2 + delay / 2, clientId);
      const d = inner + gap + delay;
      spans.push(span(traceId, clientId, spanId, service, `GET /${callee}`, 'client', at, d));
      at += d;
    }
    at += (2 + r()) * slow;
    spans.push(span(traceId, spanId, parentSpanId, service, `${service} handler`, 'server', atMs, at - atMs));
    return at - atMs;
  };
  serve(root, startMs);
  return spans;
}

function span(
  traceId: string,
  spanId: string,
  parentSpanId: string | undefined,
  service: string,
  name: string,
  kind: Span['kind'],
  startMs: number,
  durationMs: number,
): Span {
  return {
    traceId,
    spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    name,
    kind,
    service,
    source: { cluster: 'prod', namespace: 'shop', workloadKind: 'Deployment', workload: service },
    startMs,
    endMs: startMs + durationMs,
    durationMs,
    status: 'ok',
    attributes: {},
  };
}

/** Two requests a minute from each root before the incident, and during it with `t`. */
function traffic(t: Trouble, seed = 1): Span[] {
  const r = seededRandom(seed);
  const out: Span[] = [];
  for (let ms = W.fromMs; ms < W.toMs - 10_000; ms += 30_000) {
    const now = ms >= W.incidentFromMs ? t : {};
    out.push(
      ...request('gateway', ms, r, now),
      ...request('orders', ms + 7_000, r, now),
      ...request('mobile', ms + 15_000, r, now),
    );
  }
  return out;
}

const EDGES: CallEdge[] = Object.entries(CALLS).flatMap(([caller, list]) =>
  list.map((callee) => ({ caller: dep(caller), callee: dep(callee) })),
);

describe('callEdgeShifts', () => {
  it('measures the time between the pods on each edge, and only the delayed edges move', () => {
    const shifts = callEdgeShifts(traffic({ delayedInto: 'payments' }), W, spanUnit);
    const moved = shifts.filter((s) => s.score > 0).map((s) => `${s.caller.name}→${s.callee.name}`);
    expect(moved.sort()).toEqual(['checkout→payments', 'orders→payments']);
    const edge = shifts.find((s) => s.callee.name === 'payments' && s.caller.name === 'checkout');
    expect(edge?.beforeMs).toBeLessThan(5);
    expect(edge?.nowMs).toBeGreaterThan(150);
    expect(edge?.ownReference).toBe(true);
  });

  it('judges an edge with too few calls before against every edge pooled', () => {
    const spans = traffic({ delayedInto: 'payments' }).filter(
      (s) => s.endMs >= W.incidentFromMs - 60_000 || s.service !== 'payments',
    );
    const edge = callEdgeShifts(spans, W, spanUnit).find((s) => s.caller.name === 'orders');
    expect(edge?.ownReference).toBe(false);
    expect(edge?.score).toBeGreaterThan(0.9);
  });
});

describe('callEdgeLoci', () => {
  it('places network delay on a leaf callee, not on the callers that each share one slow edge', () => {
    const loci = callEdgeLoci(callEdgeShifts(traffic({ delayedInto: 'payments' }), W, spanUnit));
    expect(loci.map((l) => l.unit.name)).toEqual(['payments']);
  });

  it('places network delay on a middle service whose calls in slowed while its calls out did not', () => {
    const loci = callEdgeLoci(callEdgeShifts(traffic({ delayedInto: 'checkout' }), W, spanUnit));
    expect(loci.map((l) => l.unit.name)).toEqual(['checkout']);
  });

  it('places CPU starvation on the starved pod, whose every edge in and out slowed, not its callees', () => {
    const loci = callEdgeLoci(callEdgeShifts(traffic({ starved: 'checkout' }), W, spanUnit));
    expect(loci.map((l) => l.unit.name)).toEqual(['checkout']);
    expect(loci[0]?.shifted).toHaveLength(4);
  });

  it('finds nothing when no edge moved', () => {
    expect(callEdgeAnomalies(traffic({}), W, spanUnit)).toEqual([]);
  });
});

describe('localizing with call edges', () => {
  const noisy: Anomaly = {
    id: 'anm_noisy',
    detector: 'metrics',
    resource: dep('search'),
    signal: { kind: 'series', name: 'latency_p99', labels: {}, fromMs: W.fromMs, toMs: W.toMs },
    onsetMs: W.incidentFromMs,
    lastSeenMs: W.toMs,
    score: 0.95,
    title: 'search p99 jumped',
    explanation: '',
  };
  const withSearch = [...EDGES, { caller: dep('gateway'), callee: dep('search') }];

  it('ranks a CPU-starved callee first although its caller got slower too', () => {
    const anomalies = spanShifts(traffic({ starved: 'checkout' }), W);
    const ranked = localizeRootCause(anomalies, EDGES);
    expect(ranked[0]?.resource.name).toBe('checkout');
    expect(ranked.find((c) => c.resource.name === 'gateway')?.explainedBy.map((r) => r.name)).toContain(
      'checkout',
    );
  });

  it('ranks a delayed sparse leaf first, above its slower callers and an unrelated noisy service', () => {
    const anomalies = [...spanShifts(traffic({ delayedInto: 'payments' }), W), noisy];
    const ranked = localizeRootCause(anomalies, withSearch);
    expect(ranked[0]?.resource.name).toBe('payments');
    expect(ranked.find((c) => c.resource.name === 'search')?.reason).toContain('no call path');
  });

  it('without call-edge evidence the noisy service would win (the rule is what places it)', () => {
    const anomalies = [
      ...spanShifts(traffic({ delayedInto: 'payments' }), W).filter((a) => a.detector !== 'call-edges'),
      noisy,
    ];
    expect(localizeRootCause(anomalies, withSearch)[0]?.resource.name).not.toBe('payments');
  });
});
