import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { K8sEvent, LogRecord, ObjectSnapshot } from '@sleuth/core';
import { eventually, getJson, startTestServer, type TestServer } from './support/server';

/**
 * The embedded default as a user meets it: the server with its built-in simulated fleet, which
 * sends logs, metrics and traces through the OTLP receivers like any real source and serves its
 * objects and events as Kubernetes APIs that the server's collector watches. The simulator runs 10x faster than the
 * wall clock here, so its clock is ahead of ours: windows reach into the future (`to=now+1h`).
 */
const WINDOW = 'from=now-1h&to=now%2B1h';
const TARGET = { cluster: 'prod-us', namespace: 'payments', workload: 'payments-api' };

interface Series {
  name: string;
  labels: Record<string, string>;
}
interface Fault {
  id: string;
  kind: string;
  status: string;
  target: typeof TARGET;
}

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    'simulator.mode': 'on',
    'simulator.speed': 10,
    'simulator.tickSeconds': 5,
  });
});
afterAll(async () => {
  await server.dispose();
});

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(server.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('the embedded default with the simulated fleet', () => {
  it('answers a search for errors with log records from the fleet', async () => {
    const records = await eventually(async () => {
      const page = await getJson<{ records: LogRecord[] }>(server.url, `/api/v1/logs?q=error&${WINDOW}`);
      return page.records.length > 0 ? page.records : undefined;
    });
    for (const r of records) {
      expect(r.body.toLowerCase()).toContain('error');
      expect(['prod-eu', 'prod-us']).toContain(r.source.cluster);
      expect(r.source.namespace).toBeTruthy();
      expect(r.source.pod).toBeTruthy();
    }
  });

  it('lists metric series from both clusters', async () => {
    for (const cluster of ['prod-eu', 'prod-us']) {
      const series = await eventually(async () => {
        const page = await getJson<{ series: Series[] }>(
          server.url,
          `/api/v1/series?cluster=${cluster}&name=container_memory_working_set_bytes`,
        );
        return page.series.length > 0 ? page.series : undefined;
      });
      expect(series.every((s) => s.labels['cluster'] === cluster)).toBe(true);
    }
  });

  it('watches both simulated clusters through their Kubernetes APIs, as it watches a real one', async () => {
    type Cluster = {
      name: string;
      lastSeenMs?: number;
      records: number;
      collector?: { state: string; server: string; resources: { resource: string; objects: number }[] };
    };
    const clusters = await eventually(async () => {
      const r = await getJson<{ clusters: Cluster[] }>(server.url, '/api/v1/clusters');
      return r.clusters.length >= 2 && r.clusters.every((c) => c.collector?.state === 'ok')
        ? r.clusters
        : undefined;
    });
    expect(clusters.map((c) => c.name)).toEqual(['prod-eu', 'prod-us']);
    for (const c of clusters) {
      expect(c.records).toBeGreaterThan(0);
      expect(Date.now() - (c.lastSeenMs ?? 0)).toBeLessThan(60_000);
      expect(c.collector?.server).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const pods = c.collector?.resources.find((r) => r.resource === 'pods');
      expect(pods?.objects).toBeGreaterThan(10);
      // core/v1 events: the simulated API servers serve no events.k8s.io, like an old cluster.
      expect(c.collector?.resources.some((r) => r.resource === 'events')).toBe(true);
    }
    // The objects the collector listed are the ones stored.
    const stored = await getJson<{ objects: ObjectSnapshot[] }>(
      server.url,
      '/api/v1/objects?cluster=prod-eu&kind=Pod&limit=5000',
    );
    const listed = clusters[0]?.collector?.resources.find((r) => r.resource === 'pods')?.objects;
    expect(stored.objects.length).toBe(listed);
  });

  it('describes the fleet it simulates', async () => {
    const sim = await getJson<{ fleet: { clusters: { name: string }[] } }>(server.url, '/api/v1/simulator');
    expect(sim.fleet.clusters.map((c) => c.name).sort()).toEqual(['prod-eu', 'prod-us']);
  });

  it('refuses a malformed fault with a 400 naming the problem', async () => {
    const bad = await post('/api/v1/simulator/faults', { kind: 'meteor_strike', target: TARGET });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('kind');
    const unknown = await post('/api/v1/simulator/faults', {
      kind: 'oom_killed',
      target: { ...TARGET, workload: 'no-such-workload' },
    });
    expect(unknown.status).toBeGreaterThanOrEqual(400);
    expect(unknown.status).toBeLessThan(500);
    expect(JSON.stringify(unknown.json)).toContain('no-such-workload');
  });

  it('shows an injected crash loop in events, logs and object state, and clears it', async () => {
    const created = await post('/api/v1/simulator/faults', {
      kind: 'crash_loop',
      target: TARGET,
      durationSeconds: 600,
    });
    expect(created.status).toBe(201);
    const fault = created.json as unknown as Fault;
    expect(fault).toMatchObject({ kind: 'crash_loop', status: 'active', target: TARGET });

    const backoff = await eventually(async () => {
      const page = await getJson<{ events: K8sEvent[] }>(
        server.url,
        `/api/v1/events?cluster=${TARGET.cluster}&namespace=${TARGET.namespace}&reason=BackOff&${WINDOW}`,
      );
      return page.events.find((e) => e.involved.name.startsWith(`${TARGET.workload}-`));
    }, 60_000);
    expect(backoff.type).toBe('Warning');
    expect(backoff.message).toContain(`Back-off restarting failed container ${TARGET.workload}`);

    const startupError = await getJson<{ records: LogRecord[] }>(
      server.url,
      `/api/v1/logs?q=%22PAYMENTS_DB_URL+is+not+set%22&cluster=${TARGET.cluster}&${WINDOW}`,
    );
    expect(startupError.records.length).toBeGreaterThan(0);
    expect(startupError.records[0]?.source.workload).toBe(TARGET.workload);

    // A crash-looping container alternates between a brief run and the back-off wait, and the
    // object watch lands on its own path, so the pod's state is polled rather than read once.
    const waiting = await eventually(async () => {
      const pods = await getJson<{ objects: ObjectSnapshot[] }>(
        server.url,
        `/api/v1/objects?cluster=${TARGET.cluster}&namespace=${TARGET.namespace}&kind=Pod`,
      );
      const reasons = pods.objects
        .filter((p) => p.ref.name.startsWith(`${TARGET.workload}-`))
        .flatMap((p) => {
          const statuses = (
            p.object as { status?: { containerStatuses?: { state?: { waiting?: { reason?: string } } }[] } }
          ).status?.containerStatuses;
          return (statuses ?? []).map((s) => s.state?.waiting?.reason);
        });
      return reasons.includes('CrashLoopBackOff') ? reasons : undefined;
    }, 60_000);
    expect(waiting).toContain('CrashLoopBackOff');

    const cleared = await fetch(`${server.url}/api/v1/simulator/faults/${fault.id}`, { method: 'DELETE' });
    expect(cleared.status).toBe(200);
    const list = await getJson<{ faults: Fault[] }>(server.url, '/api/v1/simulator/faults');
    expect(list.faults.find((f) => f.id === fault.id)?.status).not.toBe('active');
  }, 90_000);
});
