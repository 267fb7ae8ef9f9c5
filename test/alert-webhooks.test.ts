import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyBatch, type Alert, type Incident } from '@sleuth/core';
import { alertmanagerPayload, checkoutWorkload, sign } from './support/alerts';
import { eventually, getJson, startTestServer, type TestServer } from './support/server';

/**
 * The alert receivers as a sender meets them: authentication (bearer, HMAC with a timestamp),
 * 400s that name the field, idempotent deliveries, partial acceptance of a delivery with one bad
 * alert, and alerts becoming incidents on the objects their labels name.
 */
const TOKEN = 'am-token-0123456789';
const SECRET = 'grafana-secret-abcdef';
const CLUSTER = 'eu';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    'detect.enabled': false,
    'alerts.maxAlertsPerDelivery': 500,
    'alerts.receivers': [
      { name: 'am', source: 'alertmanager', cluster: CLUSTER, bearerToken: TOKEN },
      {
        name: 'grafana',
        source: 'grafana',
        cluster: CLUSTER,
        hmac: {
          secret: SECRET,
          header: 'X-Grafana-Alerting-Signature',
          timestampHeader: 'X-Grafana-Alerting-Timestamp',
        },
      },
      {
        name: 'generic',
        source: 'generic',
        cluster: CLUSTER,
        bearerToken: TOKEN,
        mapping: {
          alerts: 'events',
          name: 'check',
          status: 'state',
          fingerprint: 'key',
          startsAt: 'since',
          labels: 'tags',
        },
      },
    ],
  });
  // Two clusters with the same workload: tests that follow an incident to its end use `us`, where
  // no other test's alerts keep it open.
  for (const c of [CLUSTER, 'us'])
    await server.store.writeBatch({ ...emptyBatch(), objects: checkoutWorkload(c, Date.now() - 60_000) });
}, 30_000);

afterAll(async () => {
  await server?.dispose();
});

async function post(
  receiver: string,
  body: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/api/v1/alerts/${receiver}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const errorOf = (r: { body: Record<string, unknown> }) => (r.body.error as { message: string }).message;

const firing = (labels: Record<string, string>, startsAt = new Date(Date.now() - 30_000).toISOString()) =>
  alertmanagerPayload([
    {
      labels: { alertname: 'HighErrorRate', severity: 'critical', ...labels },
      startsAt,
      fingerprint: `fp-${JSON.stringify(labels).length}-${labels.pod ?? labels.deployment ?? 'x'}`,
    },
  ]);

describe('authentication', () => {
  it('answers 401 without a token, with a wrong one, and 404 for an unknown receiver', async () => {
    const body = firing({ namespace: 'shop', deployment: 'checkout' });
    expect((await post('am', body, {})).status).toBe(401);
    const wrong = await post('am', body, { authorization: 'Bearer nope-nope-nope' });
    expect(wrong.status).toBe(401);
    expect(errorOf(wrong)).toMatch(/bearer token is not valid/);
    const unknown = await post('nobody', body);
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown)).toMatch(/configured: am, grafana, generic/);
    expect((await getJson<{ alerts: Alert[] }>(server.url, '/api/v1/alerts')).alerts).toEqual([]);
  });

  it('checks the HMAC signature over timestamp and body, and refuses old timestamps', async () => {
    const body = JSON.stringify(
      alertmanagerPayload([
        {
          labels: { alertname: 'CPUHigh', namespace: 'shop', pod: 'checkout-5d8f-p2' },
          startsAt: new Date().toISOString(),
        },
      ]),
    );
    const ts = String(Math.floor(Date.now() / 1000));
    const bad = await post('grafana', body, {
      'x-grafana-alerting-signature': sign('other-secret-123', body, ts),
      'x-grafana-alerting-timestamp': ts,
    });
    expect(bad.status).toBe(401);
    expect(errorOf(bad)).toMatch(/does not match the body/);
    const old = String(Math.floor(Date.now() / 1000) - 3600);
    const replay = await post('grafana', body, {
      'x-grafana-alerting-signature': sign(SECRET, body, old),
      'x-grafana-alerting-timestamp': old,
    });
    expect(replay.status).toBe(401);
    expect(errorOf(replay)).toMatch(/more than 300 s/);
    const good = await post('grafana', body, {
      'x-grafana-alerting-signature': sign(SECRET, body, ts),
      'x-grafana-alerting-timestamp': ts,
    });
    expect(good.status).toBe(200);
    expect(good.body.accepted).toBe(1);
  });
});

describe('malformed deliveries', () => {
  it('answer 400 naming the problem', async () => {
    const notJson = await post('am', '{"alerts": [');
    expect(notJson.status).toBe(400);
    expect(errorOf(notJson)).toMatch(/not JSON/);
    const noAlerts = await post('am', { version: '4', status: 'firing' });
    expect(noAlerts.status).toBe(400);
    expect(errorOf(noAlerts)).toMatch(/^alerts: /);
    const v3 = await post('am', { ...firing({ pod: 'x' }), version: '3' });
    expect(v3.status).toBe(400);
    expect(errorOf(v3)).toMatch(/version: expected "4"/);
    const tooMany = await post(
      'am',
      alertmanagerPayload(
        Array.from({ length: 501 }, (_, i) => ({
          labels: { alertname: 'A', i: String(i) },
          startsAt: new Date().toISOString(),
        })),
      ),
    );
    expect(tooMany.status).toBe(400);
    const huge = await post('am', `{"pad": "${'x'.repeat(8 * 1024 * 1024)}"}`);
    expect(huge.status).toBe(413);
    expect(errorOf(tooMany)).toMatch(/501 alerts, more than the 500 allowed/);
  });

  it('keeps the good alerts of a delivery with a bad one and says which was left out', async () => {
    const payload = alertmanagerPayload([
      {
        labels: { alertname: 'Good', namespace: 'shop', pod: 'checkout-5d8f-p3' },
        startsAt: new Date().toISOString(),
        fingerprint: 'good1',
      },
      { labels: { alertname: 'Bad' }, startsAt: 'yesterday', fingerprint: 'bad1' },
    ]);
    const r = await post('am', payload);
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(1);
    const rejected = r.body.rejected as { index: number; problem: string }[];
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.index).toBe(1);
    expect(rejected[0]?.problem).toMatch(/^alerts\.1\.startsAt: not an RFC 3339 time/);
    const stored = await getJson<{ alerts: Alert[] }>(server.url, '/api/v1/alerts?fingerprint=good1');
    expect(stored.alerts.map((a) => a.name)).toEqual(['Good']);
  });
});

describe('deliveries become alerts and incidents', () => {
  it('stores the same delivery twice as one alert', async () => {
    const payload = firing({ namespace: 'shop', service: 'checkout' }, '2026-11-23T08:00:00.123456789Z');
    const first = await post('am', payload);
    const second = await post('am', payload);
    expect(first.body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(second.body).toMatchObject({ accepted: 0, duplicates: 1 });
    const fp = (payload.alerts as { fingerprint: string }[])[0]?.fingerprint ?? '';
    const { alerts } = await getJson<{ alerts: Alert[] }>(server.url, `/api/v1/alerts?fingerprint=${fp}`);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      deliveries: 2,
      status: 'firing',
      startsAt: Date.parse('2026-11-23T08:00:00.123Z'),
    });
  });

  it('maps labels to the objects they name and opens one incident; the resolved alert closes it', async () => {
    const startsAt = new Date(Date.now() - 20_000).toISOString();
    const labels = {
      alertname: 'CheckoutLatency',
      severity: 'critical',
      cluster: 'us',
      namespace: 'shop',
      pod: 'checkout-5d8f-p1',
      instance: '10.1.0.1:8080',
    };
    const r = await post('am', alertmanagerPayload([{ labels, startsAt, fingerprint: 'lat1' }]));
    expect(r.status).toBe(200);
    const id = (r.body.alerts as { id: string }[])[0]?.id ?? '';
    const alert = await eventually(async () => {
      const a = (await getJson<{ alert: Alert }>(server.url, `/api/v1/alerts/${id}`)).alert;
      return a.incidentId ? a : undefined;
    });
    expect(alert.resources[0]).toEqual({
      cluster: 'us',
      namespace: 'shop',
      kind: 'Pod',
      name: 'checkout-5d8f-p1',
    });
    const inc = await getJson<Incident & { alerts: Alert[] }>(
      server.url,
      `/api/v1/incidents/${alert.incidentId}`,
    );
    expect(inc.status).toBe('open');
    expect(inc.severity).toBe('high');
    expect(inc.resources).toContainEqual(alert.resources[0]);
    expect(inc.alerts.map((a) => a.id)).toEqual([id]);
    expect(inc.rootCauses.length).toBeGreaterThan(0);
    expect(inc.rootCauses[0]?.evidence.some((e) => e.signal.kind === 'anomaly' && e.signal.id === id)).toBe(
      true,
    );

    const endsAt = new Date().toISOString();
    const resolved = await post(
      'am',
      alertmanagerPayload([{ labels, startsAt, endsAt, status: 'resolved', fingerprint: 'lat1' }]),
    );
    expect(resolved.body).toMatchObject({
      accepted: 1,
      alerts: [{ id, status: 'resolved', change: 'resolved' }],
    });
    const closed = await eventually(async () => {
      const i = await getJson<Incident>(server.url, `/api/v1/incidents/${alert.incidentId}`);
      return i.status === 'resolved' ? i : undefined;
    });
    expect(closed.resolvedMs).toBe(Date.parse(endsAt));
  });

  it('groups a storm of 200 alerts on one workload into one incident', async () => {
    const startsAt = new Date(Date.now() - 10_000).toISOString();
    const storm = alertmanagerPayload(
      Array.from({ length: 200 }, (_, i) => ({
        labels: {
          alertname: 'KubeContainerWaiting',
          namespace: 'shop',
          pod: `checkout-5d8f-p${(i % 3) + 1}`,
          container: `c${i}`,
        },
        startsAt,
        fingerprint: `storm${i}`,
      })),
      {
        groupKey: '{}:{alertname="KubeContainerWaiting"}',
        groupLabels: { alertname: 'KubeContainerWaiting' },
      },
    );
    expect((await post('am', storm)).body).toMatchObject({ accepted: 200 });
    const alerts = await eventually(async () => {
      const list = (
        await getJson<{ alerts: Alert[] }>(server.url, '/api/v1/alerts?limit=1000')
      ).alerts.filter((a) => a.fingerprint.startsWith('storm'));
      return list.length === 200 && list.every((a) => a.incidentId) ? list : undefined;
    });
    expect(new Set(alerts.map((a) => a.incidentId)).size).toBe(1);
  });

  it('reads a generic webhook through its mapping', async () => {
    const r = await post('generic', {
      events: [
        {
          check: 'disk-full',
          state: 'CRITICAL',
          key: 'g1',
          since: Math.floor(Date.now() / 1000) - 5,
          tags: { node: 'node-a', usage: 97 },
        },
        { check: 'disk-full', state: 'OK', key: 'g2', since: Math.floor(Date.now() / 1000) - 50 },
        { state: 'CRITICAL' },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(2);
    expect(r.body.rejected).toEqual([
      { index: 2, problem: 'events.2.check: the alert name is missing (mapping.name)' },
    ]);
    const { alerts } = await getJson<{ alerts: Alert[] }>(server.url, '/api/v1/alerts?fingerprint=g1');
    expect(alerts[0]).toMatchObject({
      name: 'disk-full',
      status: 'firing',
      source: 'generic',
      labels: { usage: '97' },
    });
    expect(alerts[0]?.resources).toEqual([{ cluster: CLUSTER, kind: 'Node', name: 'node-a' }]);
  });
});
