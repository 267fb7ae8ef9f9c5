import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, type Incident, type NotificationDelivery, type RootCause } from '@sleuth/core';
import { SqliteStore } from '@sleuth/store';
import { noticeOf } from '../incident-feed';
import { backoffMs, NotificationSender, retryAfterMs } from './notification-sender';
import { Notifier, type NotifyChannel } from './notifier';

const T = Date.parse('2026-11-23T10:00:00Z');
const logger = createLogger('silent');

const cause = (failureMode: string, name = 'cart'): RootCause => ({
  id: `rc_${failureMode}`,
  failureMode,
  resource: { cluster: 'eu', namespace: 'shop', kind: 'Deployment', name },
  hypothesis: `${name} ${failureMode}. Details.`,
  confidence: 0.8,
  rank: 1,
  evidence: [],
  origin: 'rules',
  remediation: { steps: ['Raise the memory limit'], commands: ['kubectl -n shop describe deploy cart'] },
});

const incident = (over: Partial<Incident> = {}): Incident => ({
  id: 'inc_a',
  title: 'cart is down',
  status: 'open',
  severity: 'high',
  startMs: T,
  updatedMs: T,
  resources: [{ cluster: 'eu', namespace: 'shop', kind: 'Deployment', name: 'cart' }],
  anomalyIds: ['anm_1'],
  rootCauses: [],
  ...over,
});

let dir: string;
let store: SqliteStore;
let receiver: Server;
let url: string;
/** What the receiver answers, in order; the last one repeats. */
let answers: { status: number; headers?: Record<string, string> }[];
let received: Record<string, unknown>[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sleuth-ntf-'));
  store = new SqliteStore({ path: join(dir, 'db'), synchronous: 'normal' });
  await store.start();
  answers = [{ status: 200 }];
  received = [];
  receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const a = answers.length > 1 ? (answers.shift() ?? { status: 200 }) : (answers[0] ?? { status: 200 });
      if (a.status === 200) received.push(JSON.parse(raw) as Record<string, unknown>);
      res.writeHead(a.status, a.headers ?? {}).end(a.status === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const a = receiver.address();
  url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/hook`;
});

afterEach(async () => {
  receiver.close();
  await store.stop();
  rmSync(dir, { recursive: true, force: true });
});

function channel(over: Partial<NotifyChannel> = {}): NotifyChannel {
  return {
    name: 'ops',
    type: 'webhook',
    url,
    headers: { authorization: 'Bearer t' },
    maxAttempts: 3,
    timeoutSeconds: 5,
    events: ['opened', 'diagnosed', 'resolved'],
    minSeverity: 'medium',
    alertsOnly: false,
    ...over,
  };
}

function setup(c: NotifyChannel, opts: { graceMs?: number; gapMs?: number } = {}) {
  const sender = new NotificationSender([c], store, logger);
  const notifier = new Notifier({
    channels: [c],
    store,
    sender,
    incidentUrl: (id) => `https://sleuth.example/incidents/${id}`,
    logger,
    graceMs: opts.graceMs ?? 50,
    diagnosisGapMs: opts.gapMs ?? 60_000,
  });
  const change = async (inc: Incident, kind: 'opened' | 'updated' | 'resolved') => {
    await store.putIncident(inc);
    notifier.onNotice(noticeOf(kind, inc));
    await notifier.idle();
    await sender.idle();
  };
  return { sender, notifier, change };
}

const sent = async (): Promise<NotificationDelivery[]> =>
  (await store.listNotifications({ incidentId: 'inc_a', limit: 50 })).reverse();

describe('Notifier', () => {
  it('announces an incident with its cause, a changed cause once, and the resolution', async () => {
    const { change, notifier } = setup(channel(), { gapMs: 0 });
    await change(incident({ rootCauses: [cause('oom-killed')] }), 'opened');
    // The same cause again (a new anomaly joined): nothing new to say.
    await change(incident({ rootCauses: [cause('oom-killed')], anomalyIds: ['anm_1', 'anm_2'] }), 'updated');
    await change(incident({ rootCauses: [cause('bad-rollout')] }), 'updated');
    await change(
      incident({ status: 'resolved', resolvedMs: T + 60_000, rootCauses: [cause('bad-rollout')] }),
      'resolved',
    );
    notifier.stop();
    expect((await sent()).map((d) => [d.event, d.status])).toEqual([
      ['opened', 'delivered'],
      ['diagnosed', 'delivered'],
      ['resolved', 'delivered'],
    ]);
    expect(received[0]).toMatchObject({
      event: 'opened',
      url: 'https://sleuth.example/incidents/inc_a',
      rootCause: { failureMode: 'oom-killed', remediation: { steps: ['Raise the memory limit'] } },
    });
    expect(received[2]).toMatchObject({
      event: 'resolved',
      incident: { status: 'resolved', resolvedMs: T + 60_000 },
    });
  });

  it('waits for a diagnosis before announcing, and announces without one after the grace', async () => {
    const { change, notifier } = setup(channel(), { graceMs: 300 });
    await change(incident(), 'opened');
    expect(await sent()).toEqual([]);
    await change(incident({ rootCauses: [cause('oom-killed')] }), 'updated');
    expect((await sent()).map((d) => d.event)).toEqual(['opened']);
    expect(received[0]).toMatchObject({ rootCause: { failureMode: 'oom-killed' } });

    await store.putIncident(incident({ id: 'inc_b' }));
    notifier.onNotice(noticeOf('opened', incident({ id: 'inc_b' })));
    await new Promise((r) => setTimeout(r, 600));
    await notifier.idle();
    const b = await store.listNotifications({ incidentId: 'inc_b' });
    expect(b.map((d) => d.event)).toEqual(['opened']);
    notifier.stop();
  });

  it('sends a changed diagnosis no sooner than the gap after the last, with the cause then current', async () => {
    const { change, notifier, sender } = setup(channel(), { gapMs: 400 });
    await change(incident({ rootCauses: [cause('oom-killed')] }), 'opened');
    await change(incident({ rootCauses: [cause('bad-rollout')] }), 'updated');
    await change(incident({ rootCauses: [cause('probe-failing')] }), 'updated');
    expect((await sent()).map((d) => d.event)).toEqual(['opened']);
    await new Promise((r) => setTimeout(r, 700));
    await notifier.idle();
    await sender.idle();
    expect((await sent()).map((d) => d.event)).toEqual(['opened', 'diagnosed']);
    expect(received[1]).toMatchObject({ rootCause: { failureMode: 'probe-failing' } });
    notifier.stop();
  });

  it('leaves out incidents below the channel severity, and without alerts when alertsOnly', async () => {
    const { change, notifier } = setup(channel({ minSeverity: 'critical' }));
    await change(incident({ rootCauses: [cause('oom-killed')] }), 'opened');
    expect(await sent()).toEqual([]);
    // Raised to critical later: announced then.
    await change(incident({ severity: 'critical', rootCauses: [cause('oom-killed')] }), 'updated');
    expect((await sent()).map((d) => d.event)).toEqual(['opened']);
    notifier.stop();

    const alerts = setup(channel({ name: 'alerts', alertsOnly: true }));
    await alerts.change(incident({ id: 'inc_c', rootCauses: [cause('x')] }), 'opened');
    await alerts.change(incident({ id: 'inc_d', anomalyIds: ['alt_1'], rootCauses: [cause('x')] }), 'opened');
    expect((await store.listNotifications({ channel: 'alerts' })).map((d) => d.incidentId)).toEqual([
      'inc_d',
    ]);
    alerts.notifier.stop();
  });
});

describe('NotificationSender', () => {
  it('retries what may pass (honouring Retry-After) and records each attempt', async () => {
    answers = [
      { status: 503, headers: { 'retry-after': '0' } },
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 200 },
    ];
    const { change, sender } = setup(channel());
    await change(incident({ rootCauses: [cause('oom-killed')] }), 'opened');
    await new Promise((r) => setTimeout(r, 100));
    await sender.idle();
    const [d] = await sent();
    expect(d).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200 });
    expect(d?.lastError).toBeUndefined();
  });

  it('gives up at once on a refusal and after maxAttempts on failures, naming the error', async () => {
    answers = [{ status: 404 }];
    const refused = setup(channel());
    await refused.change(incident({ rootCauses: [cause('oom-killed')] }), 'opened');
    expect((await sent())[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastStatusCode: 404,
      lastError: 'HTTP 404: nope',
    });

    answers = [{ status: 500, headers: { 'retry-after': '0' } }];
    const failing = setup(channel({ name: 'flaky', maxAttempts: 2 }));
    await failing.change(incident({ id: 'inc_e', rootCauses: [cause('oom-killed')] }), 'opened');
    await new Promise((r) => setTimeout(r, 100));
    await failing.sender.idle();
    const [d] = await store.listNotifications({ channel: 'flaky' });
    expect(d).toMatchObject({ status: 'failed', attempts: 2, lastError: 'HTTP 500: nope' });
  });

  it('never writes the channel URL into the recorded error', async () => {
    const c = channel({ url: 'http://127.0.0.1:1/services/T0/B0/very-secret-token' });
    const { change } = setup({ ...c, maxAttempts: 1 });
    await change(incident({ rootCauses: [cause('oom-killed')] }), 'opened');
    const [d] = await sent();
    expect(d?.status).toBe('failed');
    expect(d?.lastError).toMatch(/^not delivered: /);
    expect(JSON.stringify(d)).not.toContain('very-secret-token');
  });

  it('takes up pending deliveries after a restart', async () => {
    await store.putNotification({
      id: 'ntf_left',
      channel: 'ops',
      incidentId: 'inc_a',
      event: 'opened',
      status: 'pending',
      attempts: 1,
      nextAttemptMs: Date.now() - 1000,
      createdMs: T,
      updatedMs: T,
      payload: '{"event":"opened"}',
    });
    const sender = new NotificationSender([channel()], store, logger);
    expect(await sender.resume()).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    await sender.idle();
    expect((await sent())[0]).toMatchObject({ id: 'ntf_left', status: 'delivered', attempts: 2 });
    expect(received).toEqual([{ event: 'opened' }]);
  });

  it('backs off exponentially up to five minutes and reads Retry-After in both forms', () => {
    expect(backoffMs(1, () => 0.5)).toBe(1000);
    expect(backoffMs(4, () => 0.5)).toBe(8000);
    expect(backoffMs(30, () => 0.5)).toBe(300_000);
    expect(retryAfterMs('7', T)).toBe(7000);
    expect(retryAfterMs(new Date(T + 30_000).toUTCString(), T)).toBe(30_000);
    expect(retryAfterMs('soon', T)).toBeUndefined();
  });
});
