import { describe, expect, it, vi } from 'vitest';
import { Simulator } from './simulator';
import {
  at,
  containerLogs,
  eventRecords,
  flatLogs,
  flatPoints,
  flatSpans,
  watchRecords,
  text,
} from './testing/captured-signals';
import { ExportLogsSchema, ExportMetricsSchema, ExportTracesSchema } from './testing/otlp-json-schema';
import { START_MS } from './testing/scenario';
import { MemoryTransport } from './transport/memory-transport';

async function run(seed: number, ms = 30_000): Promise<MemoryTransport> {
  const transport = new MemoryTransport();
  const sim = new Simulator({ seed, startMs: START_MS, transport });
  await sim.step(ms);
  return transport;
}

describe('Simulator', () => {
  it('sends byte-identical requests for the same seed, start and steps', async () => {
    const a = await run(42);
    const b = await run(42);
    expect(a.requests.length).toBeGreaterThan(0);
    expect(b.requests.map((r) => r.body)).toEqual(a.requests.map((r) => r.body));
  });

  it('stays byte-identical with every kind of fault injected', async () => {
    const runWithFaults = async (): Promise<string[]> => {
      const transport = new MemoryTransport();
      const sim = new Simulator({ seed: 9, startMs: START_MS, transport });
      await sim.step(10_000);
      const eu = (namespace: string, workload: string) => ({ cluster: 'prod-eu', namespace, workload });
      sim.injectFault({ kind: 'hpa_at_max', target: eu('shop', 'catalog-api'), durationSeconds: 60 });
      sim.injectFault({ kind: 'traffic_surge', target: eu('payments', 'payments-api'), durationSeconds: 60 });
      sim.injectFault({ kind: 'healthy_rollout', target: eu('web', 'storefront'), durationSeconds: 60 });
      sim.injectFault({ kind: 'log_noise', target: eu('data', 'redis'), durationSeconds: 60 });
      sim.injectFault({ kind: 'pod_restart', target: eu('shop', 'checkout-api'), durationSeconds: 60 });
      await sim.step(150_000);
      return transport.requests.map((r) => r.body);
    };
    expect(await runWithFaults()).toEqual(await runWithFaults());
    // Two 160-second runs of the whole fleet with five faults: 15-20 s alone, twice that on a busy
    // 2-core machine; determinism, not speed, is what this checks.
  }, 120_000);

  it('sends different data for a different seed', async () => {
    const a = await run(42, 10_000);
    const b = await run(43, 10_000);
    expect(b.requests.map((r) => r.body).join('')).not.toEqual(a.requests.map((r) => r.body).join(''));
  });

  it('does not depend on how time is split into steps', async () => {
    const a = await run(5, 20_000);
    const transport = new MemoryTransport();
    const sim = new Simulator({ seed: 5, startMs: START_MS, transport });
    for (let i = 0; i < 8; i++) await sim.step(2_500);
    expect(transport.requests.map((r) => r.body)).toEqual(a.requests.map((r) => r.body));
  });

  it('sends only valid OTLP/JSON export requests, one signal per request', async () => {
    const t = await run(1, 60_000);
    const signals = new Set(t.requests.map((r) => r.signal));
    expect(signals).toEqual(new Set(['logs', 'metrics', 'traces']));
    for (const { signal, request } of t.requests) {
      const schema =
        signal === 'logs'
          ? ExportLogsSchema
          : signal === 'metrics'
            ? ExportMetricsSchema
            : ExportTracesSchema;
      const parsed = schema.safeParse(request);
      expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))).toBe(
        true,
      );
    }
  });

  it('announces both clusters and a dozen namespaces as Kubernetes objects at start', async () => {
    const t = await run(3, 5_000);
    const watch = watchRecords(flatLogs(t.requests));
    expect(watch.every((w) => w.type === 'ADDED')).toBe(true);
    const namespaces = watch.filter((w) => w.plural === 'namespaces');
    const clusters = new Set(flatLogs(t.requests).map((l) => l.resource['k8s.cluster.name']));
    expect(clusters).toEqual(new Set(['prod-eu', 'prod-us']));
    expect(namespaces).toHaveLength(12);
    const plurals = new Set(watch.map((w) => w.plural));
    for (const p of [
      'nodes',
      'namespaces',
      'deployments',
      'replicasets',
      'statefulsets',
      'pods',
      'services',
      'endpoints',
      'configmaps',
      'secrets',
    ]) {
      expect(plurals).toContain(p);
    }
    const versions = watch.map((w) => Number(at(w.object, 'metadata', 'resourceVersion')));
    expect(versions.every((v) => Number.isInteger(v) && v > 0)).toBe(true);
  });

  it('sends Secrets with key names only', async () => {
    const t = await run(3, 5_000);
    const secrets = watchRecords(flatLogs(t.requests)).filter((w) => w.plural === 'secrets');
    expect(secrets.length).toBeGreaterThan(0);
    for (const s of secrets) {
      const data = at(s.object, 'data');
      expect(data).toBeTypeOf('object');
      const values = data && typeof data === 'object' ? Object.values(data) : [];
      expect(values.length).toBeGreaterThan(0);
      expect(values.every((v) => v === '')).toBe(true);
    }
  });

  it('produces container logs, metrics and traces for every namespace of both clusters', async () => {
    const t = await run(9, 60_000);
    const logs = containerLogs(flatLogs(t.requests));
    const points = flatPoints(t.requests);
    const spans = flatSpans(t.requests);
    const key = (r: Record<string, unknown>): string =>
      `${text(r['k8s.cluster.name'])}/${text(r['k8s.namespace.name'])}`;
    const metricNs = new Set(points.filter((p) => p.resource['k8s.pod.name']).map((p) => key(p.resource)));
    expect(metricNs.size).toBe(12);
    expect(new Set(logs.map((l) => key(l.resource))).size).toBeGreaterThanOrEqual(10);
    for (const l of [...logs.slice(0, 50), ...spans.slice(0, 50).map((s) => ({ resource: s.resource }))]) {
      for (const attr of [
        'k8s.cluster.name',
        'k8s.namespace.name',
        'k8s.pod.name',
        'k8s.container.name',
        'k8s.node.name',
        'service.name',
      ]) {
        expect(l.resource[attr], attr).toBeTypeOf('string');
      }
      expect(l.resource['k8s.deployment.name'] ?? l.resource['k8s.statefulset.name']).toBeTypeOf('string');
    }
    const formats = new Set(logs.map((l) => l.resource['k8s.container.name']));
    for (const c of ['storefront', 'checkout-api', 'catalog-api', 'payments-api', 'order-worker'])
      expect(formats).toContain(c);
  });

  it('emits traces that follow the call graph with consistent parents', async () => {
    const t = await run(2, 60_000);
    const spans = flatSpans(t.requests);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const services = new Set(spans.map((s) => s.resource['service.name']));
    for (const s of ['storefront', 'catalog-api', 'checkout-api', 'payments-api', 'order-worker'])
      expect(services).toContain(s);
    let children = 0;
    for (const s of spans) {
      if (!s.parentSpanId) continue;
      const parent = byId.get(s.parentSpanId);
      if (!parent) continue;
      children++;
      expect(parent.traceId).toBe(s.traceId);
      if (s.kind !== 5) expect(s.startMs).toBeGreaterThanOrEqual(parent.startMs);
    }
    expect(children).toBeGreaterThan(spans.length / 2);
    const payment = spans.find((s) => s.name === 'POST /v1/charges');
    const client = payment?.parentSpanId ? byId.get(payment.parentSpanId) : undefined;
    expect(client?.resource['service.name']).toBe('checkout-api');
    expect(
      spans.some(
        (s) => s.attributes['db.system'] === 'postgresql' && s.resource['service.name'] === 'payments-api',
      ),
    ).toBe(true);
  });

  it('is quiet and healthy without faults: no Warning events, no 5xx', async () => {
    const t = await run(4, 120_000);
    const logs = flatLogs(t.requests);
    expect(eventRecords(logs).filter((e) => e.severityText === 'Warning')).toEqual([]);
    const fiveXx = flatPoints(t.requests).filter(
      (p) => p.name === 'http_server_requests_total' && text(p.attributes['status_code']).startsWith('5'),
    );
    expect(fiveXx).toEqual([]);
    const levels = containerLogs(logs).map((l) => l.severityText);
    const info = levels.filter((l) => l === 'INFO').length;
    expect(info / levels.length).toBeGreaterThan(0.95);
    expect(levels).toContain('WARN');
  });

  it('keeps cumulative counters rising and re-sends all objects at the resync', async () => {
    const transport = new MemoryTransport();
    const sim = new Simulator({ seed: 6, startMs: START_MS, transport, resyncSeconds: 60 });
    await sim.step(55_000);
    transport.clear();
    await sim.step(10_000);
    const watch = watchRecords(flatLogs(transport.requests));
    expect(watch.filter((w) => w.type === 'MODIFIED' && w.plural === 'nodes')).toHaveLength(9);
    const cpu = flatPoints(transport.requests).filter((p) => p.name === 'container_cpu_usage_seconds_total');
    const first = new Map<string, number>();
    for (const p of cpu) {
      const k = text(p.resource['k8s.pod.uid']);
      const prev = first.get(k);
      if (prev !== undefined) expect(p.value).toBeGreaterThanOrEqual(prev);
      first.set(k, p.value);
    }
  });

  it('reports stats, a fleet summary, and stops idempotently', async () => {
    const transport = new MemoryTransport();
    const sim = new Simulator({ seed: 8, startMs: START_MS, transport });
    await sim.stop();
    const again = new Simulator({ seed: 8, startMs: START_MS, transport });
    await again.step(10_000);
    const stats = again.stats();
    expect(stats.ticks).toBe(2);
    expect(stats.requestsSent).toBe(transport.requests.length);
    expect(stats.records.logs).toBeGreaterThan(0);
    expect(stats.activeSeries).toBeGreaterThan(500);
    const fleet = again.fleet();
    expect(fleet.clusters.map((c) => c.name)).toEqual(['prod-eu', 'prod-us']);
    expect(fleet.clusters.flatMap((c) => c.namespaces)).toHaveLength(12);
    const postgres = fleet.clusters[0]?.namespaces
      .find((n) => n.name === 'data')
      ?.workloads.find((w) => w.name === 'postgres');
    expect(postgres?.faultKinds).toEqual([
      'oom_killed',
      'dependency_down',
      'node_not_ready',
      'network_policy_block',
      'pvc_pending',
      'log_noise',
    ]);
    await again.start();
    await again.stop();
    await again.stop();
    await expect(again.step(5_000)).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('counts transport failures without stopping', async () => {
    const transport = new MemoryTransport();
    const sim = new Simulator({ seed: 8, startMs: START_MS, transport });
    transport.fail(new Error('boom'), new Error('boom'));
    await sim.step(5_000);
    const stats = sim.stats();
    expect(stats.requestsFailed).toBe(2);
    expect(stats.failures).toEqual({ transport_error: 2 });
    expect(stats.requestsSent).toBe(transport.requests.length);
    expect(stats.requestsSent).toBeGreaterThan(0);
  });

  it('runs against the clock at its speed once started, and stops', async () => {
    vi.useFakeTimers({ now: START_MS });
    try {
      const transport = new MemoryTransport();
      const sim = new Simulator({ seed: 1, speed: 50, startMs: START_MS, transport });
      await sim.start();
      await vi.advanceTimersByTimeAsync(1_000);
      expect(sim.stats().ticks).toBeGreaterThanOrEqual(9);
      expect(sim.stats().ticks).toBeLessThanOrEqual(10);
      await sim.stop();
      const ticks = sim.stats().ticks;
      await vi.advanceTimersByTimeAsync(1_000);
      expect(sim.stats().ticks).toBe(ticks);
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects invalid options naming the option', () => {
    const transport = new MemoryTransport();
    expect(() => new Simulator({ seed: 1.5, transport })).toThrow(/seed/);
    expect(() => new Simulator({ seed: 1, speed: 0, transport })).toThrow(/speed/);
  });
});
