import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OBJECT_RESOURCES, objectChangesRequest, type RawObject } from '@sleuth/kubernetes';
import { tracesRequest } from '@sleuth/pipeline';
import { eventually, getJson, startTestServer, type TestServer } from './support/server';

/**
 * The topology API over objects and traces that arrived through the real receivers: objects as
 * the collector sends them (k8sobjectsreceiver-shaped OTLP logs), spans as OTLP traces. Every edge
 * kind is asked for through the API.
 */
const C = 'lab';
let server: TestServer;

const md = (name: string, namespace?: string, extra: Record<string, unknown> = {}) => ({
  name,
  uid: `uid-${namespace ?? ''}-${name}`,
  ...(namespace === undefined ? {} : { namespace }),
  ...extra,
});
const owned = (kind: string, name: string) => ({ ownerReferences: [{ kind, name, controller: true }] });

const OBJECTS: RawObject[] = [
  { apiVersion: 'v1', kind: 'Node', metadata: md('node-a') },
  { apiVersion: 'v1', kind: 'Namespace', metadata: md('shop') },
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: md('checkout', 'shop') },
  {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: md('checkout-7d9f', 'shop', owned('Deployment', 'checkout')),
  },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: md('checkout-7d9f-a', 'shop', {
      labels: { app: 'checkout' },
      ...owned('ReplicaSet', 'checkout-7d9f'),
    }),
    spec: {
      nodeName: 'node-a',
      volumes: [{ name: 'settings', configMap: { name: 'checkout-settings' } }],
      containers: [
        {
          name: 'app',
          env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
        },
      ],
    },
  },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: md('checkout-settings', 'shop'), data: { a: '1' } },
  { apiVersion: 'v1', kind: 'Secret', metadata: md('db', 'shop'), data: { password: 'c2VjcmV0' } },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: md('checkout', 'shop'),
    spec: { selector: { app: 'checkout' } },
  },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: md('checkout-x1', 'shop', { labels: { 'kubernetes.io/service-name': 'checkout' } }),
    endpoints: [
      { targetRef: { kind: 'Pod', name: 'checkout-7d9f-a', namespace: 'shop' }, conditions: { ready: true } },
    ],
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: md('shop', 'shop'),
    spec: {
      rules: [
        {
          host: 'shop.example.com',
          http: { paths: [{ path: '/', backend: { service: { name: 'checkout' } } }] },
        },
      ],
    },
  },
  {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: md('checkout', 'shop'),
    spec: { scaleTargetRef: { kind: 'Deployment', name: 'checkout' }, minReplicas: 2, maxReplicas: 6 },
  },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: md('db', 'shop') },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: md('db-0', 'shop', owned('StatefulSet', 'db')),
    spec: {
      nodeName: 'node-a',
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } }],
    },
  },
  {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: md('data-db-0', 'shop'),
    spec: { volumeName: 'pv-1' },
  },
  { apiVersion: 'v1', kind: 'PersistentVolume', metadata: md('pv-1') },
  { apiVersion: 'batch/v1', kind: 'CronJob', metadata: md('report', 'shop') },
  { apiVersion: 'batch/v1', kind: 'Job', metadata: md('report-1', 'shop', owned('CronJob', 'report')) },
  {
    // Its ConfigMap was never created: the pod sits in CreateContainerConfigError.
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: md('report-1-q', 'shop', owned('Job', 'report-1')),
    spec: { containers: [{ name: 'report', envFrom: [{ configMapRef: { name: 'report-config' } }] }] },
  },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: md('agent', 'shop') },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: md('agent-z', 'shop', owned('DaemonSet', 'agent')),
    spec: { nodeName: 'node-a' },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: md('payments', 'shop'),
    spec: { selector: { app: 'payments' } },
  },
];

async function post(signal: string, body: unknown): Promise<void> {
  const res = await fetch(`${server.url}/v1/${signal}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  server = await startTestServer();
  const now = Date.now();
  for (const resource of OBJECT_RESOURCES) {
    const items = OBJECTS.filter((o) => o.kind === resource.kind);
    if (items.length === 0) continue;
    await post(
      'logs',
      objectChangesRequest(
        C,
        resource,
        items.map((object) => ({ type: 'ADDED', object, observedMs: now })),
      ),
    );
  }
  // checkout calls payments: a server span in checkout, its child server span in payments (an error).
  const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);
  const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
  await post(
    'traces',
    tracesRequest({ 'service.name': 'checkout', 'k8s.cluster.name': C, 'k8s.namespace.name': 'shop' }, [
      {
        traceId: trace,
        spanId: 'a000000000000001',
        name: 'POST /pay',
        kind: 2,
        startTimeUnixNano: ns(now - 1000),
        endTimeUnixNano: ns(now - 900),
      },
    ]),
  );
  await post(
    'traces',
    tracesRequest({ 'service.name': 'payments', 'k8s.cluster.name': C, 'k8s.namespace.name': 'shop' }, [
      {
        traceId: trace,
        spanId: 'a000000000000002',
        parentSpanId: 'a000000000000001',
        name: 'charge',
        kind: 2,
        startTimeUnixNano: ns(now - 990),
        endTimeUnixNano: ns(now - 910),
        status: { code: 2, message: 'card declined' },
      },
    ]),
  );
});
afterAll(async () => {
  await server?.dispose();
});

type Edge = { from: string; to: string; kind: string; evidence: string[] };
const key = (kind: string, name: string, ns?: string) => `${C}/${ns ?? '-'}/${kind}/${name}`;
const q = (kind: string, name: string, ns?: string) =>
  `cluster=${C}&kind=${kind}&name=${name}${ns === undefined ? '' : `&namespace=${ns}`}`;

describe('topology API', () => {
  it('returns the graph of a cluster with every edge kind', async () => {
    const g = await eventually(async () => {
      const r = await getJson<{ nodes: { key: string }[]; edges: Edge[] }>(
        server.url,
        `/api/v1/topology?cluster=${C}`,
      );
      return r.edges.some((e) => e.kind === 'calls') ? r : undefined;
    });
    const has = (kind: string, from: string, to: string) =>
      expect(
        g.edges.some((e) => e.kind === kind && e.from === from && e.to === to),
        `${kind} ${from} -> ${to}`,
      ).toBe(true);
    has('owns', key('Deployment', 'checkout', 'shop'), key('ReplicaSet', 'checkout-7d9f', 'shop'));
    has('owns', key('ReplicaSet', 'checkout-7d9f', 'shop'), key('Pod', 'checkout-7d9f-a', 'shop'));
    has('owns', key('StatefulSet', 'db', 'shop'), key('Pod', 'db-0', 'shop'));
    has('owns', key('DaemonSet', 'agent', 'shop'), key('Pod', 'agent-z', 'shop'));
    has('owns', key('CronJob', 'report', 'shop'), key('Job', 'report-1', 'shop'));
    has('owns', key('Job', 'report-1', 'shop'), key('Pod', 'report-1-q', 'shop'));
    has('selects', key('Service', 'checkout', 'shop'), key('Pod', 'checkout-7d9f-a', 'shop'));
    has('endpoint', key('Service', 'checkout', 'shop'), key('Pod', 'checkout-7d9f-a', 'shop'));
    has('routes_to', key('Ingress', 'shop', 'shop'), key('Service', 'checkout', 'shop'));
    has('runs_on', key('Pod', 'db-0', 'shop'), key('Node', 'node-a'));
    has('mounts', key('Pod', 'db-0', 'shop'), key('PersistentVolumeClaim', 'data-db-0', 'shop'));
    has('bound_to', key('PersistentVolumeClaim', 'data-db-0', 'shop'), key('PersistentVolume', 'pv-1'));
    has(
      'uses_configmap',
      key('Pod', 'checkout-7d9f-a', 'shop'),
      key('ConfigMap', 'checkout-settings', 'shop'),
    );
    has('uses_secret', key('Pod', 'checkout-7d9f-a', 'shop'), key('Secret', 'db', 'shop'));
    has(
      'scaled_by',
      key('Deployment', 'checkout', 'shop'),
      key('HorizontalPodAutoscaler', 'checkout', 'shop'),
    );
    has('calls', key('Service', 'checkout', 'shop'), key('Service', 'payments', 'shop'));
    const call = g.edges.find((e) => e.kind === 'calls');
    expect(call?.evidence[0]).toMatch(/^1 calls, 1 errors/);
  });

  it('lists the neighbours of a pod both ways', async () => {
    const r = await getJson<{ dependsOn: { edge: Edge }[]; dependents: { edge: Edge }[] }>(
      server.url,
      `/api/v1/topology/neighbours?${q('Pod', 'checkout-7d9f-a', 'shop')}`,
    );
    expect(r.dependsOn.map((d) => d.edge.kind).sort()).toEqual(['runs_on', 'uses_configmap', 'uses_secret']);
    expect(r.dependents.map((d) => `${d.edge.kind} ${d.edge.from}`).sort()).toEqual([
      `endpoint ${key('Service', 'checkout', 'shop')}`,
      `owns ${key('ReplicaSet', 'checkout-7d9f', 'shop')}`,
      `selects ${key('Service', 'checkout', 'shop')}`,
    ]);
  });

  it('shows a ConfigMap a pod needs but nobody created as missing, and what waits on it', async () => {
    const r = await getJson<{
      node: { key: string; missing?: boolean };
      dependents: { edge: Edge; node: { key: string } }[];
    }>(server.url, `/api/v1/topology/neighbours?${q('ConfigMap', 'report-config', 'shop')}`);
    expect(r.node).toMatchObject({ key: key('ConfigMap', 'report-config', 'shop'), missing: true });
    expect(r.dependents.map((d) => `${d.edge.kind} ${d.node.key} [${d.edge.evidence.join('; ')}]`)).toEqual([
      `uses_configmap ${key('Pod', 'report-1-q', 'shop')} [envFrom (container report)]`,
    ]);
    const blast = await getJson<{ affected: { key: string; depth: number }[] }>(
      server.url,
      `/api/v1/topology/blast-radius?${q('ConfigMap', 'report-config', 'shop')}`,
    );
    expect(blast.affected.map((a) => `${a.depth} ${a.key}`)).toEqual([
      `1 ${key('Pod', 'report-1-q', 'shop')}`,
      `2 ${key('Job', 'report-1', 'shop')}`,
      `3 ${key('CronJob', 'report', 'shop')}`,
    ]);
  });

  it('walks upstream from the ingress and downstream from a PersistentVolume', async () => {
    const up = await getJson<{ upstream: { key: string; depth: number }[] }>(
      server.url,
      `/api/v1/topology/upstream?${q('Ingress', 'shop', 'shop')}&depth=2`,
    );
    expect(up.upstream.map((n) => `${n.depth} ${n.key}`).sort()).toEqual([
      `1 ${key('Service', 'checkout', 'shop')}`,
      `2 ${key('Pod', 'checkout-7d9f-a', 'shop')}`,
      `2 ${key('Service', 'payments', 'shop')}`,
    ]);
    const down = await getJson<{ downstream: { key: string }[] }>(
      server.url,
      `/api/v1/topology/downstream?${q('PersistentVolume', 'pv-1')}`,
    );
    expect(down.downstream.map((n) => n.key)).toEqual([
      key('PersistentVolumeClaim', 'data-db-0', 'shop'),
      key('Pod', 'db-0', 'shop'),
      key('StatefulSet', 'db', 'shop'),
    ]);
  });

  it("gives a node's blast radius by kind", async () => {
    const r = await getJson<{ total: number; byKind: Record<string, number>; affected: { key: string }[] }>(
      server.url,
      `/api/v1/topology/blast-radius?${q('Node', 'node-a')}`,
    );
    expect(r.byKind).toMatchObject({
      Pod: 3,
      ReplicaSet: 1,
      Deployment: 1,
      StatefulSet: 1,
      DaemonSet: 1,
      Service: 1,
      Ingress: 1,
    });
    expect(r.total).toBe(r.affected.length);
    // The failing payments service takes its caller and the ingress in front of it along.
    const p = await getJson<{ affected: { key: string }[] }>(
      server.url,
      `/api/v1/topology/blast-radius?${q('Service', 'payments', 'shop')}`,
    );
    expect(p.affected.map((a) => a.key)).toEqual([
      key('Service', 'checkout', 'shop'),
      key('Ingress', 'shop', 'shop'),
    ]);
  });

  it('answers 400 naming a bad parameter and 404 for an unknown resource or cluster', async () => {
    const bad = await fetch(`${server.url}/api/v1/topology/upstream?${q('Pod', 'x', 'shop')}&depth=99`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/depth/);
    const missing = await fetch(
      `${server.url}/api/v1/topology/neighbours?cluster=${C}&kind=Pod&name=nope&namespace=shop`,
    );
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(
      /Pod shop\/nope is not in the topology/,
    );
    const unknown = await fetch(`${server.url}/api/v1/topology/neighbours?cluster=nowhere&kind=Pod&name=x`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(
      /no objects of cluster nowhere/,
    );
    expect((await fetch(`${server.url}/api/v1/topology`)).status).toBe(400);
  });
});
