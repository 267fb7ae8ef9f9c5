import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Anomaly, Incident, K8sEvent, ResourceRef } from '@sleuth/core';
import { anomaly, crashingPod, incident, MIN, pod, T } from './support/incidents';
import { getJson, startTestServer, type TestServer } from './support/server';

/**
 * The incidents API as a UI or a script uses it: a filtered, paged list; one incident with its
 * timeline, anomalies, ranked causes and recommendations. The live stream is
 * incidents-stream.test.ts.
 */
let server: TestServer;

afterAll(async () => {
  await server?.dispose();
});

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(server.url + path);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  server = await startTestServer();
});

describe('GET /api/v1/incidents', () => {
  beforeAll(async () => {
    const list = [
      incident('inc_a', { updatedMs: T + 5 * MIN, severity: 'critical' }),
      incident('inc_b', { updatedMs: T + 4 * MIN, status: 'resolved', resolvedMs: T + 4 * MIN }),
      incident('inc_c', {
        updatedMs: T + 3 * MIN,
        resources: [{ cluster: 'us', namespace: 'pay', kind: 'Deployment', name: 'ledger' }],
      }),
      incident('inc_d', { updatedMs: T + 2 * MIN, resources: [pod('eu', 'cart-2')] }),
      incident('inc_e', {
        startMs: T - 60 * MIN,
        updatedMs: T - 50 * MIN,
        status: 'resolved',
        resolvedMs: T - 50 * MIN,
      }),
    ];
    for (const i of list) await server.store.putIncident(i);
  });

  const ids = async (query: string): Promise<string[]> =>
    (await getJson<{ incidents: Incident[] }>(server.url, `/api/v1/incidents?${query}`)).incidents.map(
      (i) => i.id,
    );

  it('filters by status, cluster, namespace, severity, resource and window, newest first', async () => {
    expect(await ids('')).toEqual(['inc_a', 'inc_b', 'inc_c', 'inc_d', 'inc_e']);
    expect(await ids('status=resolved')).toEqual(['inc_b', 'inc_e']);
    expect(await ids('cluster=us')).toEqual(['inc_c']);
    expect(await ids('namespace=pay')).toEqual(['inc_c']);
    expect(await ids('severity=critical')).toEqual(['inc_a']);
    expect(await ids('resource=shop/Pod/cart-2')).toEqual(['inc_d']);
    expect(await ids('resource=pay/deploy/ledger')).toEqual(['inc_c']);
    expect(await ids('resource=Deployment/ledger')).toEqual(['inc_c']);
    // The existing callers' shape: open incidents active in a window.
    expect(await ids(`status=open&from=${T - 10 * MIN}&to=${T + 10 * MIN}`)).toEqual([
      'inc_a',
      'inc_c',
      'inc_d',
    ]);
    expect(await ids(`from=${T - 70 * MIN}&to=${T - 40 * MIN}`)).toEqual(['inc_e']);
  });

  it('pages with an opaque cursor until there is no next', async () => {
    const seen: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const page = await getJson<{ incidents: Incident[]; next?: string }>(
        server.url,
        `/api/v1/incidents?limit=2${next ? `&cursor=${encodeURIComponent(next)}` : ''}`,
      );
      seen.push(...page.incidents.map((i) => i.id));
      next = page.next;
      pages++;
    } while (next && pages < 10);
    expect(pages).toBe(3);
    // The largest page the API allows still says whether there is more.
    const all = await getJson<{ incidents: Incident[]; next?: string }>(
      server.url,
      '/api/v1/incidents?limit=1000',
    );
    expect(all.incidents.length).toBeGreaterThanOrEqual(5);
    expect(all.next).toBeUndefined();
    expect(seen).toEqual(['inc_a', 'inc_b', 'inc_c', 'inc_d', 'inc_e']);
    const filtered = await getJson<{ incidents: Incident[]; next?: string }>(
      server.url,
      '/api/v1/incidents?cluster=eu&limit=3',
    );
    expect(filtered.next).toBeDefined();
    const rest = await ids(`cluster=eu&limit=3&cursor=${encodeURIComponent(filtered.next ?? '')}`);
    expect(rest).toEqual(['inc_e']);
  });

  it('answers 400 naming the bad parameter', async () => {
    for (const [query, param] of [
      ['status=closed', 'status'],
      ['severity=urgent', 'severity'],
      ['resource=cart', 'resource'],
      ['limit=0', 'limit'],
      ['from=yesterday', 'from'],
      ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
    ] as const) {
      const res = await get(`/api/v1/incidents?${query}`);
      expect(res.status, query).toBe(400);
      const error = res.body['error'] as { code: string; message: string };
      expect(error.code).toBe('invalid_request');
      expect(error.message).toContain(`querystring.${param}`);
    }
  });
});

describe('GET /api/v1/incidents/:id', () => {
  it('answers 404 JSON for an unknown id', async () => {
    const res = await get('/api/v1/incidents/inc_nope');
    expect(res.status).toBe(404);
    expect(res.body['error']).toMatchObject({
      code: 'not_found',
      message: 'incident inc_nope does not exist',
    });
  });

  it('gives the timeline, the anomaly records, ranked causes and recommendations', async () => {
    const c = 'detail';
    const p = pod(c, 'api-7f9c-x1');
    const deployment = { cluster: c, namespace: 'shop', kind: 'Deployment', name: 'api' };
    const [dep, rs, podSnap] = crashingPod(c, T + 2 * MIN);
    const older = {
      ...dep!,
      timeMs: T - 20 * MIN,
      resourceVersion: '1',
      object: {
        ...dep!.object,
        metadata: { name: 'api', namespace: 'shop', generation: 1 },
        spec: { replicas: 1, template: { spec: { containers: [{ name: 'api', image: 'reg/api:1.0' }] } } },
      },
    };
    const rollout = { ...dep!, timeMs: T - 3 * MIN, resourceVersion: '2' };
    const backOff: K8sEvent = {
      uid: 'ev-1',
      cluster: c,
      namespace: 'shop',
      involved: p,
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container api',
      count: 12,
      firstMs: T + 30_000,
      lastMs: T + 4 * MIN,
    };
    const elsewhere: K8sEvent = { ...backOff, uid: 'ev-2', involved: pod(c, 'web-1'), reason: 'Unhealthy' };
    await server.store.writeBatch({
      logs: [],
      metrics: [],
      spans: [],
      events: [backOff, elsewhere],
      objects: [older, rollout, rs!, podSnap!],
    });
    await server.store.putAnomalies([
      anomaly('anm_d1', p, T, { endMs: T + 5 * MIN }),
      anomaly('anm_d2', p, T + MIN, { endMs: T + 4 * MIN, title: 'api error logs' }),
      anomaly('anm_other', pod(c, 'web-1'), T + MIN),
    ]);
    const remediation = {
      steps: ["Read the previous instance's log and fix what made it exit."],
      commands: ['kubectl logs api-7f9c-x1 -c api --previous -n shop'],
      patch: {
        kind: 'Deployment',
        name: 'api',
        namespace: 'shop',
        field: 'spec.template.spec.containers[name=api].image',
        from: 'reg/api:1.1',
        to: 'reg/api:1.0',
        rationale: 'roll back',
      },
    };
    await server.store.putIncident(
      incident('inc_detail', {
        resources: [p],
        status: 'resolved',
        startMs: T,
        updatedMs: T + 10 * MIN,
        resolvedMs: T + 10 * MIN,
        anomalyIds: ['anm_d1', 'anm_d2'],
        rootCauses: [
          {
            id: 'rc_2',
            failureMode: 'unavailable-replicas',
            resource: deployment,
            hypothesis: 'Deployment api has 1 unavailable replica',
            confidence: 0.48,
            rank: 2,
            evidence: [
              { signal: { kind: 'object', ref: deployment, timeMs: T }, summary: '0 of 1 available' },
            ],
            origin: 'rules',
          },
          {
            id: 'rc_1',
            failureMode: 'crash-loop',
            resource: p,
            hypothesis: 'container api is crash-looping',
            confidence: 0.9,
            rank: 1,
            evidence: [{ signal: { kind: 'event', ids: ['1'] }, summary: 'BackOff' }],
            origin: 'rules',
            remediation,
          },
        ],
      }),
    );

    const d = await getJson<
      Incident & {
        timeline: { timeMs: number; type: string; summary: string; resource?: ResourceRef }[];
        anomalies: Anomaly[];
        recommendations: {
          rootCauseId: string;
          title: string;
          steps: string[];
          commands: string[];
          patch?: unknown;
        }[];
      }
    >(server.url, '/api/v1/incidents/inc_detail');
    expect(d.id).toBe('inc_detail');
    expect(d.anomalies.map((a) => a.id)).toEqual(['anm_d1', 'anm_d2']);
    expect(d.rootCauses.map((r) => `${r.rank} ${r.failureMode}`)).toEqual([
      '2 unavailable-replicas',
      '1 crash-loop',
    ]);
    expect(d.recommendations).toEqual([
      expect.objectContaining({
        rootCauseId: 'rc_1',
        title:
          'Change spec.template.spec.containers[name=api].image of Deployment api from reg/api:1.1 to reg/api:1.0',
        steps: remediation.steps,
        commands: remediation.commands,
        patch: remediation.patch,
      }),
    ]);
    const lines = d.timeline.map((e) => `${e.type}: ${e.summary}`);
    expect(lines).toEqual([
      'object-change: Deployment api: image of container api: reg/api:1.0 → reg/api:1.1',
      'incident-opened: opened: incident inc_detail',
      'anomaly-onset: api-7f9c-x1 restarts',
      'event: Warning BackOff: Back-off restarting failed container api (12 times until 2026-11-20T10:04:00.000Z)',
      'anomaly-onset: api error logs',
      'anomaly-end: ended: api error logs',
      'anomaly-end: ended: api-7f9c-x1 restarts',
      'incident-resolved: resolved: every anomaly ended',
    ]);
    const times = d.timeline.map((e) => e.timeMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
