import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  Anomaly,
  Incident,
  K8sEvent,
  LogRecord,
  MetricPoint,
  ObjectSnapshot,
  ResourceRef,
  Severity,
  SignalRef,
  SignalSource,
  Span,
} from '@sleuth/core';
import type { z } from 'zod';
import { SqliteStore, type Store } from '@sleuth/store';
import { TopologySource } from '../../topology/source';
import { EvidenceRegistry } from '../evidence';
import type { Tool, ToolContext, ToolResult } from './tool';

/** The fixed clock every tool test runs at. */
export const NOW = Date.parse('2026-03-02T12:00:00Z');
export const CLUSTER = 'prod';
export const MIN = 60_000;
/** A value of the fleet's Secret: no tool output may contain it. */
export const SECRET_VALUE = 'SUPERSECRETVALUE-42';

export const ref = (kind: string, name: string, namespace: string | null = 'shop', cluster = CLUSTER) =>
  namespace === null ? { cluster, kind, name } : { cluster, namespace, kind, name };

export const CART = ref('Deployment', 'cart');
export const CART_RS = ref('ReplicaSet', 'cart-7d9f8');
export const CART_POD = ref('Pod', 'cart-7d9f8-abc12');
export const CART_POD_2 = ref('Pod', 'cart-7d9f8-def34');
export const CART_SVC = ref('Service', 'cart');
export const CART_CONFIG = ref('ConfigMap', 'cart-config');
export const CART_SECRET = ref('Secret', 'cart-secrets');
export const CHECKOUT = ref('Deployment', 'checkout');
export const CHECKOUT_POD = ref('Pod', 'checkout-5c6d-xyz99');
export const NODE = ref('Node', 'node-a', null);
/** A ConfigMap far larger than a model's answer should be. */
export const BIG_CONFIG = ref('ConfigMap', 'feature-flags');

function bigData(): Record<string, string> {
  const data: Record<string, string> = {};
  for (let i = 0; i < 200; i++) data[`flag_${i}`] = `value-${i}-${'x'.repeat(600)}`;
  return data;
}

const owner = (kind: string, name: string) => [{ apiVersion: 'apps/v1', kind, name, controller: true }];

function snap(r: ResourceRef, agoMs: number, object: Record<string, unknown>, rv: string): ObjectSnapshot {
  const md = object['metadata'];
  return {
    ref: r,
    apiVersion: 'v1',
    resourceVersion: rv,
    timeMs: NOW - agoMs,
    deleted: false,
    object: {
      kind: r.kind,
      ...object,
      metadata: {
        name: r.name,
        ...(r.namespace ? { namespace: r.namespace } : {}),
        creationTimestamp: new Date(NOW - 2 * 24 * 60 * MIN).toISOString(),
        ...(typeof md === 'object' && md !== null ? md : {}),
      },
    },
  };
}

const NOISE = {
  managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:spec': {} } }],
  annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"apps/v1"}' },
};

function cartDeployment(agoMs: number, image: string, generation: number, ready: number): ObjectSnapshot {
  return snap(
    CART,
    agoMs,
    {
      metadata: { ...NOISE, uid: 'uid-cart', generation, labels: { app: 'cart' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'cart' } },
        template: {
          metadata: { labels: { app: 'cart' } },
          spec: {
            containers: [{ name: 'cart', image, envFrom: [{ configMapRef: { name: 'cart-config' } }] }],
          },
        },
      },
      status: { replicas: 3, readyReplicas: ready, updatedReplicas: generation === 2 ? 2 : 3 },
    },
    String(generation * 100),
  );
}

function pod(r: ResourceRef, app: string, ownerRs: string, waiting?: string): ObjectSnapshot {
  return snap(
    r,
    20 * MIN,
    {
      metadata: { labels: { app }, ownerReferences: owner('ReplicaSet', ownerRs) },
      spec: {
        nodeName: 'node-a',
        containers: [
          { name: app, image: `shop/${app}:1.5.0`, envFrom: [{ configMapRef: { name: `${app}-config` } }] },
        ],
        volumes: app === 'cart' ? [{ name: 'creds', secret: { secretName: 'cart-secrets' } }] : [],
      },
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: app,
            ready: !waiting,
            restartCount: waiting ? 4 : 0,
            state: waiting ? { waiting: { reason: waiting } } : { running: {} },
          },
        ],
      },
    },
    `p-${r.name}`,
  );
}

function objects(): ObjectSnapshot[] {
  const deletedWorker = snap(ref('Deployment', 'old-worker'), 10 * MIN, {}, 'w2');
  return [
    snap(NODE, 3 * 60 * MIN, { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, 'n1'),
    cartDeployment(3 * 60 * MIN, 'shop/cart:1.4.0', 1, 3),
    cartDeployment(20 * MIN, 'shop/cart:1.5.0', 2, 1),
    snap(
      CART_RS,
      20 * MIN,
      { metadata: { ownerReferences: owner('Deployment', 'cart') }, spec: { replicas: 3 } },
      'rs1',
    ),
    pod(CART_POD, 'cart', 'cart-7d9f8', 'CrashLoopBackOff'),
    pod(CART_POD_2, 'cart', 'cart-7d9f8'),
    snap(CART_SVC, 3 * 60 * MIN, { spec: { selector: { app: 'cart' } } }, 's1'),
    snap(CHECKOUT, 3 * 60 * MIN, { spec: { replicas: 1 }, status: { readyReplicas: 1 } }, 'c1'),
    snap(
      ref('ReplicaSet', 'checkout-5c6d'),
      3 * 60 * MIN,
      { metadata: { ownerReferences: owner('Deployment', 'checkout') } },
      'c2',
    ),
    pod(CHECKOUT_POD, 'checkout', 'checkout-5c6d'),
    snap(ref('Service', 'checkout'), 3 * 60 * MIN, { spec: { selector: { app: 'checkout' } } }, 'c3'),
    snap(CART_CONFIG, 3 * 60 * MIN, { data: { TIMEOUT_MS: '500', REDIS_URL: 'redis://redis:6379' } }, 'cm1'),
    snap(CART_CONFIG, 30 * MIN, { data: { TIMEOUT_MS: '50', REDIS_URL: 'redis://redis:6379' } }, 'cm2'),
    snap(
      CART_SECRET,
      3 * 60 * MIN,
      {
        type: 'Opaque',
        metadata: {
          annotations: {
            'kubectl.kubernetes.io/last-applied-configuration': `{"data":{"API_KEY":"${SECRET_VALUE}"}}`,
            team: 'shop',
          },
        },
        data: { API_KEY: SECRET_VALUE, DB_PASSWORD: SECRET_VALUE },
      },
      'sec1',
    ),
    snap(BIG_CONFIG, 3 * 60 * MIN, { data: bigData() }, 'big1'),
    snap(ref('Deployment', 'old-worker'), 5 * 60 * MIN, { spec: { replicas: 1 } }, 'w1'),
    { ...deletedWorker, deleted: true },
    snap(ref('Deployment', 'web', 'blog'), 3 * 60 * MIN, { spec: { replicas: 2 } }, 'b1'),
    snap(ref('Deployment', 'web', 'blog', 'staging'), 3 * 60 * MIN, { spec: { replicas: 2 } }, 'b2'),
  ];
}

const source = (p: ResourceRef, workload: string): SignalSource => ({
  cluster: CLUSTER,
  namespace: 'shop',
  workloadKind: 'Deployment',
  workload,
  pod: p.name,
  container: workload,
  node: 'node-a',
  service: workload,
});

const line = (
  p: ResourceRef,
  workload: string,
  agoMs: number,
  severity: Severity,
  body: string,
): LogRecord => ({
  timeMs: NOW - agoMs,
  source: source(p, workload),
  severity,
  body,
  attributes: {},
});

function logs(): LogRecord[] {
  const out: LogRecord[] = [];
  // Before the default window: requests served, caches refreshed.
  for (let i = 0; i < 30; i++)
    out.push(
      line(CART_POD, 'cart', 61 * MIN + i * 2 * MIN, 'info', `GET /cart/${1000 + i} 200 in ${10 + i}ms`),
    );
  for (let i = 0; i < 5; i++)
    out.push(line(CART_POD, 'cart', 70 * MIN + i * MIN, 'info', `cache refreshed ${200 + i} keys`));
  // In the window: the same requests, then redis timeouts after the config change.
  for (let i = 0; i < 20; i++)
    out.push(
      line(CART_POD, 'cart', 59 * MIN - i * 2 * MIN, 'info', `GET /cart/${2000 + i} 200 in ${12 + i}ms`),
    );
  for (let i = 0; i < 15; i++)
    out.push(
      line(CART_POD, 'cart', 18 * MIN - i * MIN, 'error', `redis timeout after 50ms on GET cart:${3000 + i}`),
    );
  out.push(line(CART_POD_2, 'cart', 90_000, 'warn', `slow request trace: ${'frame '.repeat(300)}`));
  for (let i = 0; i < 3; i++)
    out.push(
      line(
        CHECKOUT_POD,
        'checkout',
        (5 - i) * MIN,
        'error',
        'POST /checkout failed: upstream cart returned 503',
      ),
    );
  return out;
}

function metrics(): MetricPoint[] {
  const out: MetricPoint[] = [];
  const src = source(CART_POD, 'cart');
  const labels = {
    cluster: CLUSTER,
    namespace: 'shop',
    workload: 'cart',
    pod: CART_POD.name,
    container: 'cart',
  };
  for (let m = 120; m >= 1; m--) {
    out.push({
      name: 'container_memory_working_set_bytes',
      labels,
      source: src,
      type: 'gauge',
      unit: 'By',
      timeMs: NOW - m * MIN,
      value: (100 + (120 - m)) * 2 ** 20,
    });
    // Counters: 10 requests/s served fine throughout; 5 errors/s from 17 minutes ago.
    const counts = { '200': (120 - m) * 600, '503': Math.max(0, 18 - m) * 300 };
    for (const [code, value] of Object.entries(counts))
      out.push({
        name: 'http_server_requests_total',
        labels: { ...labels, code },
        source: src,
        type: 'counter',
        timeMs: NOW - m * MIN,
        value,
      });
  }
  return out;
}

const TRACE_ERR = 'a'.repeat(32);
const TRACE_OK = 'b'.repeat(32);
const TRACE_OLD = 'c'.repeat(32);
export const TRACES = { error: TRACE_ERR, ok: TRACE_OK, old: TRACE_OLD };

function span(
  traceId: string,
  spanId: string,
  parent: string | undefined,
  service: 'cart' | 'checkout',
  name: string,
  startAgoMs: number,
  durationMs: number,
  error: boolean,
  extra: Partial<Span> = {},
): Span {
  const startMs = NOW - startAgoMs;
  return {
    traceId,
    spanId: spanId.padEnd(16, '0'),
    ...(parent ? { parentSpanId: parent.padEnd(16, '0') } : {}),
    name,
    kind: 'server',
    service,
    source: source(service === 'cart' ? CART_POD : CHECKOUT_POD, service),
    startMs,
    endMs: startMs + durationMs,
    durationMs,
    status: error ? 'error' : 'ok',
    attributes: {},
    ...extra,
  };
}

function spans(): Span[] {
  return [
    span(TRACE_ERR, 'a1', undefined, 'checkout', 'POST /checkout', 10 * MIN, 820, true),
    span(TRACE_ERR, 'a2', 'a1', 'checkout', 'GET cart', 10 * MIN - 5, 810, true, { kind: 'client' }),
    span(TRACE_ERR, 'a3', 'a2', 'cart', 'GET /cart', 10 * MIN - 8, 800, true, {
      statusMessage: 'redis timeout',
    }),
    span(TRACE_ERR, 'a4', 'a3', 'cart', 'redis GET', 10 * MIN - 10, 780, true, {
      kind: 'client',
      attributes: { 'peer.service': 'redis' },
    }),
    span(TRACE_OK, 'b1', undefined, 'checkout', 'POST /checkout', 8 * MIN, 40, false),
    span(TRACE_OK, 'b2', 'b1', 'checkout', 'GET cart', 8 * MIN - 2, 30, false, { kind: 'client' }),
    span(TRACE_OK, 'b3', 'b2', 'cart', 'GET /cart', 8 * MIN - 4, 25, false),
    span(TRACE_OLD, 'c1', undefined, 'checkout', 'POST /checkout', 3 * 60 * MIN, 35, false),
  ];
}

const event = (
  involved: ResourceRef,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  lastAgoMs: number,
  count = 1,
): K8sEvent => ({
  uid: `ev-${involved.name}-${reason}`,
  cluster: involved.cluster,
  ...(involved.namespace ? { namespace: involved.namespace } : {}),
  involved,
  type,
  reason,
  message,
  count,
  firstMs: NOW - lastAgoMs - (count - 1) * MIN,
  lastMs: NOW - lastAgoMs,
});

function events(): K8sEvent[] {
  return [
    event(
      CART_POD,
      'Warning',
      'BackOff',
      'Back-off restarting failed container cart in pod cart-7d9f8-abc12',
      2 * MIN,
      12,
    ),
    event(
      CART_POD_2,
      'Warning',
      'Unhealthy',
      'Readiness probe failed: HTTP probe failed with statuscode: 503',
      5 * MIN,
      3,
    ),
    event(CART, 'Normal', 'ScalingReplicaSet', 'Scaled up replica set cart-7d9f8 to 3', 20 * MIN),
    event(
      CHECKOUT_POD,
      'Normal',
      'Pulled',
      'Container image "shop/checkout:1.5.0" already present',
      30 * MIN,
    ),
    event(
      ref('Pod', 'web-1', 'blog'),
      'Warning',
      'FailedScheduling',
      '0/3 nodes are available',
      3 * 60 * MIN,
    ),
  ];
}

const anomaly = (
  id: string,
  detector: string,
  resource: ResourceRef,
  onsetAgoMs: number,
  title: string,
  endAgoMs?: number,
): Anomaly => ({
  id,
  detector,
  resource,
  signal: { kind: 'anomaly', id },
  onsetMs: NOW - onsetAgoMs,
  lastSeenMs: NOW - (endAgoMs ?? MIN),
  ...(endAgoMs === undefined ? {} : { endMs: NOW - endAgoMs }),
  score: 0.9,
  title,
  explanation: title,
});

export const ANOMALIES = [
  anomaly(
    'an-logs-cart',
    'log-template',
    CART,
    18 * MIN,
    'New error template in cart: redis timeout after <*>ms on GET <*>',
  ),
  anomaly('an-red-cart', 'red', CART_SVC, 17 * MIN, 'Error rate of service cart rose to 33%'),
  anomaly('an-crash-cart', 'pod-restarts', CART_POD, 15 * MIN, 'Pod cart-7d9f8-abc12 is in CrashLoopBackOff'),
  anomaly(
    'an-old-web',
    'red',
    ref('Deployment', 'web', 'blog'),
    2 * 24 * 60 * MIN,
    'Old web latency',
    2 * 24 * 60 * MIN - 60 * MIN,
  ),
];

function incident(redisLogId: string): Incident {
  return {
    id: 'inc-cart',
    title: 'cart failing: redis timeouts after config change',
    status: 'open',
    severity: 'high',
    startMs: NOW - 18 * MIN,
    updatedMs: NOW - 2 * MIN,
    resources: [CART, CART_SVC, CART_POD],
    anomalyIds: ['an-logs-cart', 'an-red-cart', 'an-crash-cart'],
    rootCauses: [
      {
        id: 'rc-1',
        failureMode: 'config-change',
        resource: CART_CONFIG,
        hypothesis: 'TIMEOUT_MS in cart-config went from 500 to 50, so redis calls time out',
        confidence: 0.8,
        rank: 1,
        origin: 'rules',
        evidence: [
          {
            signal: { kind: 'object', ref: CART_CONFIG, timeMs: NOW - 30 * MIN, field: 'data.TIMEOUT_MS' },
            summary: 'cart-config TIMEOUT_MS changed 500 → 50',
          },
          { signal: { kind: 'log', ids: [redisLogId] }, summary: 'redis timeout after 50ms' },
        ],
        remediation: {
          steps: ['Set TIMEOUT_MS in cart-config back to 500 and restart cart'],
          commands: ['kubectl -n shop get configmap cart-config -o yaml'],
        },
      },
    ],
  };
}

/** A store in a temp directory holding a small shop: a rollout and a config change gone wrong. */
export interface Fleet {
  store: SqliteStore;
  /** Deletes the store; call in afterAll. */
  close(): Promise<void>;
}

export async function openFleet(): Promise<Fleet> {
  const dir = mkdtempSync(join(tmpdir(), 'sleuth-tools-'));
  const store = new SqliteStore({ path: join(dir, 'sleuth.db'), synchronous: 'normal' });
  await store.start();
  await store.writeBatch({
    logs: logs(),
    metrics: metrics(),
    spans: spans(),
    events: events(),
    objects: objects(),
  });
  await store.putAnomalies(ANOMALIES);
  const redis = await store.searchLogs({ q: '"redis timeout"', limit: 1 });
  await store.putIncident(incident(redis.records[0]?.id ?? 'missing'));
  await store.putIncident({
    ...incident('none'),
    id: 'inc-old',
    title: 'web slow',
    status: 'resolved',
    severity: 'low',
    startMs: NOW - 2 * 24 * 60 * MIN,
    updatedMs: NOW - 2 * 24 * 60 * MIN + 60 * MIN,
    resolvedMs: NOW - 2 * 24 * 60 * MIN + 60 * MIN,
    resources: [ref('Deployment', 'web', 'blog')],
    anomalyIds: ['an-old-web'],
    rootCauses: [],
  });
  return {
    store,
    close: async () => {
      await store.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A tool context at NOW over the store, with a fresh evidence registry; `null` for no default cluster. */
export function toolContext(store: Store, defaultCluster: string | null = CLUSTER): ToolContext {
  return {
    store,
    topology: new TopologySource(store),
    nowMs: NOW,
    evidence: new EvidenceRegistry(),
    ...(defaultCluster ? { defaultCluster } : {}),
  };
}

/** Store methods that change something: every write, the retention sweep, the lifecycle. */
const WRITES = /^(write|put|append|delete|enforce|start$|stop$)/;

/** The store with every write method throwing: what a read-only tool must never notice. */
export function readOnlyStore(store: Store): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && WRITES.test(prop))
        return () => {
          throw new Error(`a tool called store.${prop}`);
        };
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => Reflect.apply(value, target, args);
    },
  });
}

/** Runs a tool as the investigator does: parameters parsed (defaults applied), then `run`. */
export function call<P extends z.ZodObject>(
  tool: Tool<P>,
  args: z.input<P>,
  ctx: ToolContext,
): Promise<ToolResult> {
  return tool.run(tool.params.parse(args), ctx);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** A value as a record; throws (failing the test) when it is not one. */
export function rec(v: unknown): Record<string, unknown> {
  if (!isRecord(v)) throw new Error(`expected an object, got ${JSON.stringify(v)}`);
  return v;
}

/** `data[key]` of a result as a list of records; throws when it is not one. */
export function list(r: ToolResult, key: string): Record<string, unknown>[] {
  const v = rec(r.data)[key];
  if (!Array.isArray(v)) throw new Error(`expected data.${key} to be a list, got ${JSON.stringify(v)}`);
  return v.map(rec);
}

/** The signal an evidence id (as a tool returned it) was registered for. */
export function signalOf(ctx: ToolContext, evidenceId: unknown): SignalRef | undefined {
  return typeof evidenceId === 'string' ? ctx.evidence.get(evidenceId)?.signal : undefined;
}
