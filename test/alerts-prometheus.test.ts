/**
 * Issue 7's end to end, on the real servers: Prometheus scrapes a target whose error ratio crosses
 * a rule's threshold; the alert fires; Alertmanager delivers it to Sleuth; an incident opens on
 * the Deployment the labels name, with a diagnosis; Slack (a local receiver speaking its incoming
 * webhook protocol, failing once) gets the message with the root cause and a link; when the ratio
 * recovers, the resolved notification closes the incident and Slack hears that too.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyBatch, type Alert, type Incident, type NotificationDelivery } from '@sleuth/core';
import { checkoutWorkload } from './support/alerts';
import { startAlertmanager, startPrometheus, type RealServer } from './support/prom-servers';
import { eventually, getJson, startTestServer, type TestServer } from './support/server';

const TOKEN = 'am-to-sleuth-0123456789';
const CLUSTER = 'prod-eu';
let ratio = 0.01;
let target: Server;
let slack: Server;
const slackMessages: { text: string; blocks: { type: string; text?: { text: string } }[] }[] = [];
let slackCalls = 0;
let sleuth: TestServer;
let prometheus: RealServer | undefined;
let alertmanager: RealServer | undefined;

const listen = (s: Server): Promise<number> =>
  new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    }),
  );

beforeAll(async () => {
  target = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(
      `# TYPE http_error_ratio gauge\nhttp_error_ratio{namespace="shop",deployment="checkout"} ${ratio}\n`,
    );
  });
  // Slack's incoming webhook: JSON in, "ok" out. The first call fails as Slack does under load.
  slack = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      slackCalls++;
      if (slackCalls === 1) {
        res.writeHead(503, { 'retry-after': '1' }).end('service_unavailable');
        return;
      }
      slackMessages.push(JSON.parse(raw) as (typeof slackMessages)[number]);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  const targetPort = await listen(target);
  const slackPort = await listen(slack);
  sleuth = await startTestServer({
    'detect.enabled': false,
    'alerts.receivers': [{ name: 'prod', source: 'alertmanager', cluster: CLUSTER, bearerToken: TOKEN }],
    'alerts.notifications': [
      {
        name: 'oncall',
        type: 'slack',
        url: `http://127.0.0.1:${slackPort}/services/T0/B0/secret`,
        minSeverity: 'high',
      },
    ],
  });
  await sleuth.store.writeBatch({ ...emptyBatch(), objects: checkoutWorkload(CLUSTER, Date.now() - 60_000) });
  alertmanager = await startAlertmanager({
    webhookUrl: `${sleuth.url}/api/v1/alerts/prod`,
    bearerToken: TOKEN,
  });
  prometheus = await startPrometheus({
    targets: [`127.0.0.1:${targetPort}`],
    alertmanagerUrl: alertmanager.url,
    rules: [
      {
        alert: 'CheckoutErrorRatioHigh',
        expr: 'http_error_ratio > 0.05',
        for: '0s',
        labels: { severity: 'critical' },
        annotations: { summary: 'checkout answers {{ $value | humanizePercentage }} errors' },
      },
    ],
  });
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await alertmanager?.stop();
  await sleuth?.dispose();
  target?.close();
  slack?.close();
});

const servers = () => `\nprometheus:\n${prometheus?.output()}\nalertmanager:\n${alertmanager?.output()}`;

describe('an alert from the real Prometheus and Alertmanager', () => {
  it('opens a diagnosed incident on the Deployment, notifies Slack, and closes when resolved', async () => {
    ratio = 0.4;
    const alert = await eventually(async () => {
      const { alerts } = await getJson<{ alerts: Alert[] }>(sleuth.url, '/api/v1/alerts?receiver=prod');
      return alerts.find((a) => a.name === 'CheckoutErrorRatioHigh' && a.incidentId);
    }, 40_000).catch((err: Error) => {
      throw new Error(err.message + servers());
    });
    expect(alert).toMatchObject({
      status: 'firing',
      source: 'alertmanager',
      severity: 'critical',
      cluster: CLUSTER,
    });
    expect(alert.annotations.summary).toBe('checkout answers 40% errors');
    expect(alert.resources[0]).toEqual({
      cluster: CLUSTER,
      namespace: 'shop',
      kind: 'Deployment',
      name: 'checkout',
    });

    const incident = await getJson<Incident & { alerts: Alert[] }>(
      sleuth.url,
      `/api/v1/incidents/${alert.incidentId}`,
    );
    expect(incident.status).toBe('open');
    expect(incident.resources).toContainEqual(alert.resources[0]);
    expect(incident.alerts.map((a) => a.id)).toEqual([alert.id]);
    const top = incident.rootCauses[0];
    expect(top?.resource).toMatchObject({ namespace: 'shop', name: 'checkout' });
    expect(top?.evidence.map((e) => e.signal)).toContainEqual({ kind: 'anomaly', id: alert.id });

    // Slack: one failed attempt, then the message with the diagnosis and the link.
    const opened = await eventually(() => Promise.resolve(slackMessages[0]), 20_000);
    expect(slackCalls).toBeGreaterThanOrEqual(2);
    expect(opened.text).toContain('Incident opened');
    expect(opened.text).toContain(`/api/v1/incidents/${incident.id}`);
    const body = opened.blocks.map((b) => b.text?.text ?? '').join('\n');
    expect(body).toContain('*Root cause*');
    expect(body).toContain('CheckoutErrorRatioHigh (firing)');
    const sent = await getJson<{ notifications: NotificationDelivery[] }>(
      sleuth.url,
      `/api/v1/incidents/${incident.id}/notifications`,
    );
    expect(sent.notifications[0]).toMatchObject({
      channel: 'oncall',
      event: 'opened',
      status: 'delivered',
      attempts: 2,
    });

    ratio = 0.01;
    const closed = await eventually(async () => {
      const i = await getJson<Incident>(sleuth.url, `/api/v1/incidents/${incident.id}`);
      return i.status === 'resolved' ? i : undefined;
    }, 40_000).catch((err: Error) => {
      throw new Error(err.message + servers());
    });
    const [resolvedAlert] = (
      await getJson<{ alerts: Alert[] }>(sleuth.url, `/api/v1/alerts?incident=${incident.id}`)
    ).alerts;
    expect(resolvedAlert?.status).toBe('resolved');
    expect(closed.resolvedMs).toBe(resolvedAlert?.endsAt);
    const resolvedMessage = await eventually(
      () => Promise.resolve(slackMessages.find((m) => m.text.includes('Incident resolved'))),
      20_000,
    );
    expect(resolvedMessage.text).toContain(incident.title.slice(0, 40));
  }, 120_000);
});
