import type { ObjectSnapshot, ResourceRef } from '@sleuth/core';

/** The fleet's clock, names and object manifests: a shop with a rollout and a config change. */

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

export function objects(): ObjectSnapshot[] {
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
