import { afterEach, describe, expect, it } from 'vitest';
import { SCOPES } from '../model/outbox';
import { Simulator } from '../simulator';
import { MemoryTransport } from '../transport/memory-transport';

const START_MS = Date.parse('2026-11-23T10:00:00Z');
let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function list(
  api: { url: string; token: string },
  path: string,
): Promise<{ items: { metadata: { name: string } }[] }> {
  const res = await fetch(api.url + path, { headers: { authorization: `Bearer ${api.token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as { items: { metadata: { name: string } }[] };
}

describe('the simulated fleet served as Kubernetes APIs', () => {
  it("serves each cluster's objects and events from its own API server, and no longer exports them as logs", async () => {
    const transport = new MemoryTransport();
    sim = new Simulator({ seed: 7, startMs: START_MS, transport, serveKubernetesApis: true });
    await sim.step(60_000);
    const apis = sim.kubernetesApis();
    expect(apis.map((a) => a.cluster).sort()).toEqual(['prod-eu', 'prod-us']);
    for (const api of apis) {
      const pods = await list(api, '/api/v1/pods');
      expect(pods.items.length).toBeGreaterThan(10);
      const deployments = await list(api, '/apis/apps/v1/deployments');
      expect(deployments.items.length).toBeGreaterThan(3);
      expect((await list(api, '/api/v1/nodes')).items.length).toBeGreaterThan(0);
      const hpas = await list(api, '/apis/autoscaling/v2/horizontalpodautoscalers');
      expect(hpas.items.map((h) => h.metadata.name).sort()).toEqual(['catalog-api', 'checkout-api']);
      const unauthenticated = await fetch(`${api.url}/api/v1/pods`);
      expect(unauthenticated.status).toBe(401);
    }
    const scopes = new Set(
      transport.requests.flatMap((r) =>
        'resourceLogs' in r.request
          ? r.request.resourceLogs.flatMap((rl) => rl.scopeLogs.map((s) => s.scope.name))
          : [],
      ),
    );
    expect(scopes.has(SCOPES.filelog)).toBe(true);
    expect(scopes.has(SCOPES.k8sObjects)).toBe(false);
    expect(scopes.has(SCOPES.k8sEvents)).toBe(false);
  });

  it('puts an injected crash loop into the API: the pod restarts and a BackOff event appears', async () => {
    sim = new Simulator({
      seed: 7,
      startMs: START_MS,
      transport: new MemoryTransport(),
      serveKubernetesApis: true,
    });
    await sim.step(30_000);
    sim.injectFault({
      kind: 'crash_loop',
      target: { cluster: 'prod-us', namespace: 'payments', workload: 'payments-api' },
    });
    await sim.step(5 * 60_000);
    const api = sim.kubernetesApis().find((a) => a.cluster === 'prod-us')!;
    const events = (await list(api, '/api/v1/namespaces/payments/events')) as unknown as {
      items: { reason: string; involvedObject: { name: string }; count: number }[];
    };
    const backoff = events.items.find(
      (e) => e.reason === 'BackOff' && e.involvedObject.name.startsWith('payments-api-'),
    );
    expect(backoff?.count).toBeGreaterThanOrEqual(1);
    const pods = (await list(api, '/api/v1/namespaces/payments/pods')) as unknown as {
      items: { metadata: { name: string }; status: { containerStatuses?: { restartCount: number }[] } }[];
    };
    const restarted = pods.items.filter(
      (p) =>
        p.metadata.name.startsWith('payments-api-') &&
        (p.status.containerStatuses?.[0]?.restartCount ?? 0) > 0,
    );
    expect(restarted.length).toBeGreaterThan(0);
  });
});
