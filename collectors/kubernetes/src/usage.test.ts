import { KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '@sleuth/core';
import type { JsonObject } from '@sleuth/pipeline';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILTIN_RESOURCES, KubeApiServer } from '../../../test/support/kube-apiserver';
import { KubernetesCollector, type OtlpSender } from './collector';
import { OBJECT_RESOURCES } from './resources';
import { parseQuantity } from './usage';

const pods = OBJECT_RESOURCES.find((r) => r.plural === 'pods')!;

interface Point {
  name: string;
  value: number;
  attrs: Record<string, string>;
}

class MetricsSender implements OtlpSender {
  readonly points: Point[] = [];

  send(signal: 'logs' | 'metrics', request: JsonObject): Promise<void> {
    if (signal !== 'metrics') return Promise.resolve();
    type KV = { key: string; value: { stringValue?: string } };
    const rms = request['resourceMetrics'] as {
      resource: { attributes: KV[] };
      scopeMetrics: { metrics: { name: string; gauge: { dataPoints: { asDouble: number }[] } }[] }[];
    }[];
    for (const rm of rms) {
      const attrs = Object.fromEntries(
        rm.resource.attributes
          .filter((a) => a.value.stringValue !== undefined)
          .map((a) => [a.key, a.value.stringValue!]),
      );
      for (const sm of rm.scopeMetrics)
        for (const m of sm.metrics)
          for (const p of m.gauge.dataPoints) this.points.push({ name: m.name, value: p.asDouble, attrs });
    }
    return Promise.resolve();
  }
}

function kubeConfigFor(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'test', server: url, skipTLSVerify: true }],
    users: [{ name: 'sleuth' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'sleuth' }],
    currentContext: 'test',
  });
  return kc;
}

async function until<T>(what: string, check: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('resource usage from metrics.k8s.io', () => {
  let kube: KubeApiServer;
  let collector: KubernetesCollector | undefined;

  afterEach(async () => {
    await collector?.stop();
    collector = undefined;
    await kube.stop();
  });

  function start(sender: MetricsSender): Promise<void> {
    collector = new KubernetesCollector({
      cluster: 'lab',
      kubeConfig: kubeConfigFor(kube.url),
      sender,
      logger: createLogger('silent'),
      resources: [pods],
      logs: false,
      usage: { intervalMs: 50, deniedRetryMs: 60_000 },
    });
    return collector.start();
  }

  it("sends containers' and nodes' CPU and memory as gauges, with the pod's owner", async () => {
    kube = await KubeApiServer.start();
    kube.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'checkout-7d9f-abcde',
        namespace: 'shop',
        labels: { 'pod-template-hash': '7d9f' },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'checkout-7d9f', uid: 'rs', controller: true },
        ],
      },
      spec: { nodeName: 'node-a', containers: [{ name: 'app' }] },
    });
    kube.apply({
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'PodMetrics',
      metadata: { name: 'checkout-7d9f-abcde', namespace: 'shop' },
      timestamp: new Date().toISOString(),
      window: '30s',
      containers: [{ name: 'app', usage: { cpu: '250000000n', memory: '128Mi' } }],
    });
    kube.apply({
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'NodeMetrics',
      metadata: { name: 'node-a' },
      timestamp: new Date().toISOString(),
      window: '30s',
      usage: { cpu: '1500m', memory: '6Gi' },
    });
    const sender = new MetricsSender();
    await start(sender);
    await until('four gauges', () => sender.points.length >= 4);
    const byName = new Map(sender.points.map((p) => [p.name, p]));
    expect(byName.get('container_cpu_usage_cores')?.value).toBeCloseTo(0.25);
    expect(byName.get('container_memory_working_set_bytes')?.value).toBe(128 * 2 ** 20);
    expect(byName.get('container_cpu_usage_cores')?.attrs).toMatchObject({
      'k8s.cluster.name': 'lab',
      'k8s.namespace.name': 'shop',
      'k8s.pod.name': 'checkout-7d9f-abcde',
      'k8s.container.name': 'app',
      'k8s.deployment.name': 'checkout',
      'k8s.node.name': 'node-a',
    });
    expect(byName.get('node_cpu_usage_cores')).toMatchObject({
      value: 1.5,
      attrs: { 'k8s.node.name': 'node-a' },
    });
    expect(byName.get('node_memory_working_set_bytes')?.value).toBe(6 * 2 ** 30);
    await until('the status', () => collector!.status().usage.state === 'ok');
    expect(collector!.status().usage).toMatchObject({ pods: 1, nodes: 1 });
  });

  it('reports a cluster without metrics-server as unavailable, and the collector as ok', async () => {
    kube = await KubeApiServer.start({
      resources: BUILTIN_RESOURCES.filter((t) => t.group !== 'metrics.k8s.io'),
    });
    await start(new MetricsSender());
    const status = await until('the status', () => {
      const s = collector!.status();
      return s.usage.state === 'unavailable' && s.state === 'ok' ? s : undefined;
    });
    expect(status.usage).toMatchObject({ state: 'unavailable', pods: 0 });
  });

  it('reports a forbidden metrics.k8s.io, and the collector as degraded', async () => {
    kube = await KubeApiServer.start();
    kube.forbid('pods', 'metrics.k8s.io');
    await start(new MetricsSender());
    const status = await until('the status', () => {
      const s = collector!.status();
      return s.usage.state === 'forbidden' ? s : undefined;
    });
    expect(status.usage.error).toMatch(/cannot list resource "pods" in API group "metrics.k8s.io"/);
    await until('degraded', () => collector!.status().state === 'degraded');
  });
});

describe('parseQuantity', () => {
  it.each([
    ['250m', 0.25],
    ['1234567n', 0.001234567],
    ['12u', 0.000012],
    ['2', 2],
    ['1.5', 1.5],
    ['128Mi', 134217728],
    ['1Gi', 1073741824],
    ['1k', 1000],
    ['1e3', 1000],
    ['1.5E-3', 0.0015],
    ['500M', 5e8],
  ])('%s is %d', (q, n) => {
    expect(parseQuantity(q)).toBeCloseTo(n, 12);
  });

  it.each(['', 'abc', '1Xi', '12 Mi', undefined, 5])('rejects %j', (q) => {
    expect(parseQuantity(q)).toBeUndefined();
  });
});
