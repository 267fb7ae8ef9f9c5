import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { K8sEvent, ResourceRef } from '@sleuth/core';
import { startTestServer, type TestServer } from './support/server';

/**
 * `GET /api/v1/events/by-id`: the events an evidence or a timeline entry points at, by the ids the
 * store gave them, found within the scope the caller knows and widened to its namespace and cluster.
 */
let server: TestServer;
const T = Date.parse('2026-03-02T10:00:00Z');
const pod = (name: string, namespace = 'shop', cluster = 'eu'): ResourceRef => ({
  cluster,
  namespace,
  kind: 'Pod',
  name,
});
const event = (uid: string, involved: ResourceRef, reason: string, atMs: number): K8sEvent => ({
  uid,
  cluster: involved.cluster,
  ...(involved.namespace ? { namespace: involved.namespace } : {}),
  involved,
  type: 'Warning',
  reason,
  message: `${reason} on ${involved.name}`,
  count: 1,
  firstMs: atMs,
  lastMs: atMs,
});

let ids: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer();
  await server.store.writeBatch({
    logs: [],
    metrics: [],
    spans: [],
    objects: [],
    events: [
      event('u-backoff', pod('api-1'), 'BackOff', T),
      event('u-oom', pod('api-1'), 'OOMKilling', T + 1000),
      event('u-web', pod('web-1'), 'Unhealthy', T + 2000),
      event('u-other-cluster', pod('api-1', 'shop', 'us'), 'Failed', T + 3000),
    ],
  });
  const res = await fetch(`${server.url}/api/v1/events?limit=100`);
  const body = (await res.json()) as { events: K8sEvent[] };
  ids = Object.fromEntries(body.events.map((e) => [e.uid ?? '', e.id ?? '']));
});

afterAll(async () => {
  await server?.dispose();
});

async function byId(query: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/api/v1/events/by-id?${query}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('GET /api/v1/events/by-id', () => {
  it('answers the events asked for, in the order asked, within the resource named', async () => {
    const { status, body } = await byId(
      `ids=${ids['u-oom']},${ids['u-backoff']}&cluster=eu&namespace=shop&kind=Pod&name=api-1`,
    );
    expect(status).toBe(200);
    const events = body.events as K8sEvent[];
    expect(events.map((e) => e.reason)).toEqual(['OOMKilling', 'BackOff']);
    expect(events[0]?.message).toBe('OOMKilling on api-1');
    expect(body.missing).toEqual([]);
  });

  it("widens to the resource's namespace and cluster when an event is about something else", async () => {
    const { body } = await byId(`ids=${ids['u-web']}&cluster=eu&namespace=shop&kind=Pod&name=api-1`);
    expect((body.events as K8sEvent[]).map((e) => e.involved.name)).toEqual(['web-1']);
  });

  it('finds an event by its Kubernetes uid too, as detectors cite it', async () => {
    const { body } = await byId(`ids=u-oom,${ids['u-web']}&cluster=eu&namespace=shop&kind=Pod&name=api-1`);
    expect((body.events as K8sEvent[]).map((e) => e.reason)).toEqual(['OOMKilling', 'Unhealthy']);
  });

  it('says which ids it did not find, and never reaches into another cluster', async () => {
    const { body } = await byId(`ids=${ids['u-other-cluster']},999999&cluster=eu`);
    expect(body.events).toEqual([]);
    expect(body.missing).toEqual([ids['u-other-cluster'], '999999']);
  });

  it('finds events without a scope among the newest', async () => {
    const { body } = await byId(`ids=${ids['u-other-cluster']}`);
    expect((body.events as K8sEvent[]).map((e) => e.cluster)).toEqual(['us']);
  });

  it('answers 400 without ids', async () => {
    const { status, body } = await byId('cluster=eu');
    expect(status).toBe(400);
    expect((body.error as { code: string }).code).toBe('invalid_request');
  });
});
