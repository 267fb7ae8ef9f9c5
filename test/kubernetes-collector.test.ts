import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { K8sEvent, LogRecord, ObjectSnapshot } from '@sleuth/core';
import { KubeApiServer, type KubeObject } from './support/kube-apiserver';
import { eventually, getJson, startTestServer, type TestServer } from './support/server';

/**
 * `sleuth serve` watching a cluster: the real collector, through @kubernetes/client-node, against a
 * test Kubernetes API server that speaks list/watch (resourceVersion, bookmarks, 410 Gone, 403).
 * Everything it collects must be queryable through the API, and its health visible per cluster.
 */
const TOKEN = 'sa-token-for-the-lab';
const CLUSTER = 'lab';
let kube: KubeApiServer;
let sleuth: TestServer;
let dir: string;

const NOW = new Date().toISOString();

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'checkout', namespace: 'shop', uid: 'dep-1' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'checkout' } } },
    status: { replicas: 1, readyReplicas: 0 },
  };
}

function pod(phase: string, restarts: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'checkout-7d9f-abcde',
      namespace: 'shop',
      uid: 'pod-1',
      labels: { app: 'checkout', 'pod-template-hash': '7d9f' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'checkout-7d9f', uid: 'rs-1', controller: true },
      ],
    },
    spec: { nodeName: 'node-a', containers: [{ name: 'checkout', image: 'shop/checkout:1.4.2' }] },
    status: {
      phase,
      containerStatuses: [
        {
          name: 'checkout',
          ready: false,
          restartCount: restarts,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: {
            terminated: { reason: 'Error', exitCode: 1, containerID: `containerd://checkout-${restarts}` },
          },
        },
      ],
    },
  };
}

function event(name: string, reason: string, count: number): KubeObject {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name, namespace: 'shop', uid: `ev-${name}` },
    regarding: {
      apiVersion: 'v1',
      kind: 'Pod',
      name: 'checkout-7d9f-abcde',
      namespace: 'shop',
      uid: 'pod-1',
    },
    reason,
    note: `${reason} for container checkout`,
    type: 'Warning',
    eventTime: NOW,
    series: { count, lastObservedTime: NOW },
    reportingController: 'kubelet',
    action: 'Restarting',
  };
}

/** A healthy pod whose container writes as it serves. */
function cartPod(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'cart-5c8d-xyz12',
      namespace: 'shop',
      uid: 'pod-2',
      labels: { app: 'cart', 'pod-template-hash': '5c8d' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'cart-5c8d', uid: 'rs-2', controller: true },
      ],
    },
    spec: { nodeName: 'node-b', containers: [{ name: 'cart', image: 'shop/cart:2.0.1' }] },
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'cart',
          ready: true,
          restartCount: 0,
          containerID: 'containerd://cart-0',
          state: { running: { startedAt: NOW } },
        },
      ],
    },
  };
}

beforeAll(async () => {
  kube = await KubeApiServer.start({ token: TOKEN, bookmarkIntervalMs: 500 });
  kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  kube.apply(deployment());
  kube.apply(pod('Running', 3));
  // The crashed instance's last words, readable with previous=true.
  kube.appendLog('shop', 'checkout-7d9f-abcde', 'checkout', [
    'connecting to payments at payments.shop:8443',
    'FATAL payment gateway unreachable: dial tcp 10.0.3.7:8443: i/o timeout',
  ]);
  kube.restartContainer('shop', 'checkout-7d9f-abcde', 'checkout');
  kube.apply(cartPod());
  kube.apply({
    apiVersion: 'metrics.k8s.io/v1beta1',
    kind: 'PodMetrics',
    metadata: { name: 'cart-5c8d-xyz12', namespace: 'shop' },
    timestamp: NOW,
    window: '30s',
    containers: [{ name: 'cart', usage: { cpu: '120m', memory: '300Mi' } }],
  });
  kube.apply(event('checkout.backoff', 'BackOff', 4));
  kube.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'checkout-db', namespace: 'shop' },
    data: { DATABASE_PASSWORD: Buffer.from('s3cr3t-hunter2').toString('base64') },
  });
  kube.forbid('networkpolicies', 'networking.k8s.io');
  dir = mkdtempSync(join(tmpdir(), 'sleuth-kube-e2e-'));
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: lab-api',
      '  cluster:',
      `    server: ${kube.url}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: sleuth',
      '  user:',
      `    token: ${TOKEN}`,
      'contexts:',
      '- name: lab',
      '  context:',
      '    cluster: lab-api',
      '    user: sleuth',
      'current-context: lab',
    ].join('\n'),
  );
  sleuth = await startTestServer({
    'kubernetes.mode': 'on',
    'kubernetes.kubeconfig': kubeconfig,
    'kubernetes.cluster': CLUSTER,
  });
});

afterAll(async () => {
  await sleuth?.dispose();
  await kube?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface ClusterInfo {
  name: string;
  records: number;
  collector?: {
    state: string;
    resources: { resource: string; state: string; error?: string; relists: number }[];
    logs: { state: string; following: number; lines: number };
    usage: { state: string; pods: number };
  };
}

const clusters = () => getJson<{ clusters: ClusterInfo[] }>(sleuth.url, '/api/v1/clusters');
const podState = () =>
  getJson<ObjectSnapshot>(sleuth.url, `/api/v1/objects/${CLUSTER}/shop/Pod/checkout-7d9f-abcde`).catch(
    () => undefined,
  );

describe('sleuth serve watching a Kubernetes cluster', () => {
  it('stores the objects it lists, with Secret values masked', async () => {
    const pod = await eventually(podState);
    expect(pod.ref).toMatchObject({ cluster: CLUSTER, namespace: 'shop', kind: 'Pod', uid: 'pod-1' });
    expect(pod.object).toMatchObject({ status: { phase: 'Running' }, spec: { nodeName: 'node-a' } });
    const deploy = await getJson<ObjectSnapshot>(
      sleuth.url,
      `/api/v1/objects/${CLUSTER}/shop/Deployment/checkout`,
    );
    expect(deploy.ref.uid).toBe('dep-1');
    const secret = await eventually(() =>
      getJson<ObjectSnapshot>(sleuth.url, `/api/v1/objects/${CLUSTER}/shop/Secret/checkout-db`).catch(
        () => undefined,
      ),
    );
    // Masked by the collector on arrival (and again by the pipeline's redaction, which names it so).
    const data = secret.object['data'] as Record<string, string>;
    expect(Object.keys(data)).toEqual(['DATABASE_PASSWORD']);
    expect(data['DATABASE_PASSWORD']).toMatch(/^\[redacted\]$/i);
    const everything = await getJson<{ objects: ObjectSnapshot[] }>(
      sleuth.url,
      `/api/v1/objects?cluster=${CLUSTER}`,
    );
    expect(JSON.stringify(everything)).not.toContain(Buffer.from('s3cr3t-hunter2').toString('base64'));
  });

  it('stores Kubernetes events, from the list and as they happen', async () => {
    const first = await eventually(async () => {
      const r = await getJson<{ events: K8sEvent[] }>(
        sleuth.url,
        `/api/v1/events?cluster=${CLUSTER}&from=now-1h`,
      );
      return r.events.find((e) => e.reason === 'BackOff');
    });
    expect(first).toMatchObject({
      type: 'Warning',
      count: 4,
      involved: { kind: 'Pod', name: 'checkout-7d9f-abcde' },
    });
    kube.apply(event('checkout.failed', 'Failed', 1));
    await eventually(async () => {
      const r = await getJson<{ events: K8sEvent[] }>(
        sleuth.url,
        `/api/v1/events?cluster=${CLUSTER}&from=now-1h`,
      );
      return r.events.find((e) => e.reason === 'Failed');
    });
  });

  it("collects containers' logs: a crashed container's previous log and running containers' lines as written", async () => {
    type Logs = { records: LogRecord[] };
    const crash = await eventually(async () => {
      const r = await getJson<Logs>(sleuth.url, `/api/v1/logs?cluster=${CLUSTER}&q=unreachable&from=now-1h`);
      return r.records[0];
    });
    expect(crash.source).toMatchObject({
      cluster: CLUSTER,
      namespace: 'shop',
      pod: 'checkout-7d9f-abcde',
      container: 'checkout',
      workload: 'checkout',
      workloadKind: 'Deployment',
      node: 'node-a',
    });
    expect(crash.body).toBe('FATAL payment gateway unreachable: dial tcp 10.0.3.7:8443: i/o timeout');
    expect(crash.attributes).toMatchObject({ 'k8s.container.previous': true });

    kube.appendLog('shop', 'cart-5c8d-xyz12', 'cart', 'POST /cart/items 201 8ms user=u-1842');
    const line = await eventually(async () => {
      const r = await getJson<Logs>(
        sleuth.url,
        `/api/v1/logs?cluster=${CLUSTER}&pod=cart-5c8d-xyz12&from=now-1h`,
      );
      return r.records.find((x) => x.body.includes('/cart/items'));
    });
    expect(line.source).toMatchObject({ container: 'cart', workload: 'cart', node: 'node-b' });
    expect(Math.abs(line.timeMs - Date.now())).toBeLessThan(60_000);
    const lab = (await clusters()).clusters.find((x) => x.name === CLUSTER);
    expect(lab?.collector?.logs).toMatchObject({ state: 'ok', following: 1 });
  });

  it("stores containers' resource usage from metrics-server as series", async () => {
    type Series = { series: { name: string; labels: Record<string, string> }[] };
    const found = await eventually(async () => {
      const r = await getJson<Series>(
        sleuth.url,
        `/api/v1/series?cluster=${CLUSTER}&name=container_memory_working_set_bytes&from=now-1h`,
      );
      return r.series.find((x) => x.labels['pod'] === 'cart-5c8d-xyz12');
    });
    expect(found.labels).toMatchObject({ namespace: 'shop', container: 'cart', workload: 'cart' });
    const lab = (await clusters()).clusters.find((x) => x.name === CLUSTER);
    expect(lab?.collector?.usage).toMatchObject({ state: 'ok', pods: 1 });
  });

  it('shows a forbidden kind in /api/v1/clusters while every other kind is synced', async () => {
    const lab = await eventually(async () => {
      const c = (await clusters()).clusters.find((x) => x.name === CLUSTER);
      return c?.collector?.state === 'degraded' ? c : undefined;
    });
    const byName = new Map(lab.collector!.resources.map((r) => [r.resource, r]));
    expect(byName.get('networkpolicies.networking.k8s.io')).toMatchObject({ state: 'forbidden' });
    expect(byName.get('networkpolicies.networking.k8s.io')?.error).toMatch(/forbidden/);
    for (const r of lab.collector!.resources) {
      if (r.resource !== 'networkpolicies.networking.k8s.io')
        expect([r.resource, r.state]).toEqual([r.resource, 'synced']);
    }
    expect(byName.has('events.events.k8s.io')).toBe(true);
    expect(lab.records).toBeGreaterThan(0);
  });

  it('follows changes, and after a forced 410 re-lists without duplicating or losing objects', async () => {
    kube.apply(pod('Running', 4));
    await eventually(async () => {
      const p = await podState();
      const cs = (p?.object['status'] as { containerStatuses?: { restartCount: number }[] } | undefined)
        ?.containerStatuses;
      return cs?.[0]?.restartCount === 4 ? p : undefined;
    });
    const historyBefore = await getJson<{ snapshots: ObjectSnapshot[] }>(
      sleuth.url,
      `/api/v1/objects/${CLUSTER}/shop/Deployment/checkout/history`,
    );

    // Changes while the watch is cut, then the history is compacted: resuming answers 410 Gone.
    kube.closeWatches();
    kube.remove('v1', 'Secret', 'shop', 'checkout-db');
    kube.apply(pod('Failed', 5));
    kube.compact();

    await eventually(async () => {
      const c = (await clusters()).clusters.find((x) => x.name === CLUSTER);
      const pods = c?.collector?.resources.find((r) => r.resource === 'pods');
      return pods && pods.relists >= 1 && pods.state === 'synced' ? pods : undefined;
    });
    const p = await eventually(async () => {
      const s = await podState();
      return (s?.object['status'] as { phase?: string } | undefined)?.phase === 'Failed' ? s : undefined;
    });
    expect(p.deleted).toBe(false);
    await eventually(async () => {
      const r = await getJson<{ objects: ObjectSnapshot[] }>(
        sleuth.url,
        `/api/v1/objects?cluster=${CLUSTER}&kind=Secret`,
      );
      return r.objects.length === 0 ? true : undefined;
    });
    // The unchanged Deployment was not written again by the re-list.
    const historyAfter = await getJson<{ snapshots: ObjectSnapshot[] }>(
      sleuth.url,
      `/api/v1/objects/${CLUSTER}/shop/Deployment/checkout/history`,
    );
    expect(historyAfter.snapshots.length).toBe(historyBefore.snapshots.length);
  });
});
