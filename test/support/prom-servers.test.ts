/**
 * The real-server harness for issue 7: Prometheus scrapes a target, a rule fires when its metric
 * crosses a threshold, Alertmanager delivers the firing and then the resolved notification
 * (webhook payload version 4) with the bearer token it was given. Sleuth's alert receivers are
 * tested on top of this.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertmanager, startPrometheus, type RealServer } from './prom-servers';

interface Delivery {
  headers: IncomingHttpHeaders;
  body: {
    version: string;
    status: string;
    receiver: string;
    externalURL: string;
    alerts: {
      status: string;
      labels: Record<string, string>;
      fingerprint: string;
      startsAt: string;
      endsAt: string;
    }[];
  };
}

let value = 1;
let target: Server;
let receiver: Server;
const deliveries: Delivery[] = [];
let prometheus: RealServer | undefined;
let alertmanager: RealServer | undefined;

const listen = (s: Server): Promise<number> =>
  new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    }),
  );

async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end)
      throw new Error(
        `timed out waiting for ${what}\nprometheus:\n${prometheus?.output()}\nalertmanager:\n${alertmanager?.output()}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  target = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(`# TYPE queue_depth gauge\nqueue_depth{namespace="shop",deployment="cart"} ${value}\n`);
  });
  receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      deliveries.push({ headers: req.headers, body: JSON.parse(raw) as Delivery['body'] });
      res.writeHead(200).end();
    });
  });
  const targetPort = await listen(target);
  const receiverPort = await listen(receiver);
  alertmanager = await startAlertmanager({
    webhookUrl: `http://127.0.0.1:${receiverPort}/hook`,
    bearerToken: 'am-test-token-0123456789',
  });
  prometheus = await startPrometheus({
    targets: [`127.0.0.1:${targetPort}`],
    alertmanagerUrl: alertmanager.url,
    rules: [
      {
        alert: 'QueueBacklog',
        expr: 'queue_depth > 5',
        for: '0s',
        labels: { severity: 'critical' },
        annotations: { summary: 'queue backlog on {{ $labels.deployment }}' },
      },
    ],
  });
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await alertmanager?.stop();
  target?.close();
  receiver?.close();
});

describe('real Prometheus and Alertmanager', () => {
  it('fire and resolve an alert to a webhook, version 4, with the bearer token', async () => {
    value = 10;
    await until('the firing notification', () => deliveries.some((d) => d.body.status === 'firing'));
    const firing = deliveries.find((d) => d.body.status === 'firing') as Delivery;
    expect(firing.headers['authorization']).toBe('Bearer am-test-token-0123456789');
    expect(firing.body.version).toBe('4');
    expect(firing.body.externalURL).toBe(alertmanager?.url);
    const alert = firing.body.alerts[0];
    expect(alert?.labels).toMatchObject({
      alertname: 'QueueBacklog',
      namespace: 'shop',
      deployment: 'cart',
      severity: 'critical',
    });
    expect(alert?.fingerprint).toMatch(/^[0-9a-f]{16}$/);

    value = 1;
    await until('the resolved notification', () => deliveries.some((d) => d.body.status === 'resolved'));
    const resolved = deliveries.find((d) => d.body.status === 'resolved') as Delivery;
    expect(resolved.body.alerts[0]?.fingerprint).toBe(alert?.fingerprint);
    expect(Date.parse(resolved.body.alerts[0]?.endsAt ?? '')).toBeGreaterThan(
      Date.parse(alert?.startsAt ?? ''),
    );
  }, 60_000);
});
