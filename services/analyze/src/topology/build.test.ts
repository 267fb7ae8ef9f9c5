import { describe, expect, it } from 'vitest';
import type { ObjectSnapshot } from '@sleuth/core';
import type { ServiceCall } from '@sleuth/store';
import { buildTopology } from './build';
import { EDGE_KINDS, type EdgeKind, type TopologyGraph } from './graph';

const C = 'prod-eu';
const snap = (
  kind: string,
  name: string,
  namespace: string | undefined,
  object: Record<string, unknown>,
): ObjectSnapshot => ({
  ref: { cluster: C, kind, name, ...(namespace === undefined ? {} : { namespace }) },
  apiVersion: 'v1',
  timeMs: 0,
  deleted: false,
  object: { kind, metadata: { name, ...(namespace === undefined ? {} : { namespace }) }, ...object },
});
const owner = (kind: string, name: string) => ({ ownerReferences: [{ kind, name, controller: true }] });

/** A small shop: checkout behind an ingress, payments, a database with a volume, a nightly job. */
function shop(): ObjectSnapshot[] {
  return [
    snap('Node', 'node-a', undefined, {}),
    snap('Deployment', 'checkout', 'shop', {}),
    snap('ReplicaSet', 'checkout-7d9f', 'shop', {
      metadata: { name: 'checkout-7d9f', namespace: 'shop', ...owner('Deployment', 'checkout') },
    }),
    snap('Pod', 'checkout-7d9f-a', 'shop', {
      metadata: {
        name: 'checkout-7d9f-a',
        namespace: 'shop',
        labels: { app: 'checkout', tier: 'web' },
        ...owner('ReplicaSet', 'checkout-7d9f'),
      },
      spec: {
        nodeName: 'node-a',
        imagePullSecrets: [{ name: 'registry-creds' }],
        volumes: [
          { name: 'settings', configMap: { name: 'checkout-settings' } },
          { name: 'tls', secret: { secretName: 'checkout-tls' } },
          {
            name: 'bundle',
            projected: { sources: [{ configMap: { name: 'ca-bundle' } }, { secret: { name: 'sa-token' } }] },
          },
        ],
        containers: [
          {
            name: 'app',
            env: [
              {
                name: 'DB_PASSWORD',
                valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } },
              },
              { name: 'FLAGS', valueFrom: { configMapKeyRef: { name: 'feature-flags', key: 'flags' } } },
            ],
            envFrom: [
              { configMapRef: { name: 'checkout-env' } },
              { secretRef: { name: 'checkout-api-keys' } },
            ],
          },
        ],
      },
    }),
    snap('Pod', 'other-pod', 'shop', {
      metadata: { name: 'other-pod', namespace: 'shop', labels: { app: 'checkout', tier: 'batch' } },
    }),
    snap('ConfigMap', 'checkout-settings', 'shop', {}),
    snap('ConfigMap', 'ca-bundle', 'shop', {}),
    snap('ConfigMap', 'checkout-env', 'shop', {}),
    snap('ConfigMap', 'feature-flags', 'shop', {}),
    snap('Secret', 'checkout-tls', 'shop', {}),
    snap('Secret', 'sa-token', 'shop', {}),
    snap('Secret', 'db-credentials', 'shop', {}),
    snap('Secret', 'checkout-api-keys', 'shop', {}),
    snap('Secret', 'registry-creds', 'shop', {}),
    snap('Service', 'checkout', 'shop', { spec: { selector: { app: 'checkout', tier: 'web' } } }),
    snap('EndpointSlice', 'checkout-x1', 'shop', {
      metadata: {
        name: 'checkout-x1',
        namespace: 'shop',
        labels: { 'kubernetes.io/service-name': 'checkout' },
      },
      endpoints: [
        {
          targetRef: { kind: 'Pod', name: 'checkout-7d9f-a', namespace: 'shop' },
          conditions: { ready: false },
        },
      ],
    }),
    snap('Ingress', 'shop', 'shop', {
      spec: {
        defaultBackend: { service: { name: 'storefront' } },
        rules: [
          {
            host: 'shop.example.com',
            http: { paths: [{ path: '/checkout', backend: { service: { name: 'checkout' } } }] },
          },
        ],
      },
    }),
    snap('HorizontalPodAutoscaler', 'checkout', 'shop', {
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout' },
        minReplicas: 2,
        maxReplicas: 10,
      },
    }),
    snap('StatefulSet', 'postgres', 'shop', {}),
    snap('Pod', 'postgres-0', 'shop', {
      metadata: { name: 'postgres-0', namespace: 'shop', ...owner('StatefulSet', 'postgres') },
      spec: {
        nodeName: 'node-a',
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-postgres-0' } }],
      },
    }),
    snap('PersistentVolumeClaim', 'data-postgres-0', 'shop', { spec: { volumeName: 'pvc-1234' } }),
    snap('PersistentVolume', 'pvc-1234', undefined, {}),
    snap('DaemonSet', 'log-agent', 'kube-system', {}),
    snap('Pod', 'log-agent-x', 'kube-system', {
      metadata: { name: 'log-agent-x', namespace: 'kube-system', ...owner('DaemonSet', 'log-agent') },
    }),
    snap('CronJob', 'nightly-report', 'shop', {}),
    snap('Job', 'nightly-report-2911', 'shop', {
      metadata: { name: 'nightly-report-2911', namespace: 'shop', ...owner('CronJob', 'nightly-report') },
    }),
    snap('Pod', 'nightly-report-2911-q', 'shop', {
      metadata: { name: 'nightly-report-2911-q', namespace: 'shop', ...owner('Job', 'nightly-report-2911') },
    }),
    snap('Service', 'payments', 'payments', { spec: { selector: { app: 'payments' } } }),
  ];
}

const CALLS: ServiceCall[] = [
  {
    from: { service: 'checkout', cluster: C, namespace: 'shop' },
    to: { service: 'payments', cluster: C, namespace: 'payments' },
    calls: 120,
    errors: 30,
    meanDurationMs: 85.25,
  },
  {
    from: { service: 'payments', cluster: C, namespace: 'payments' },
    to: { service: 'fraud-check', cluster: C, namespace: 'payments' },
    calls: 118,
    errors: 0,
    meanDurationMs: 12,
  },
  {
    from: { service: 'checkout', cluster: C, namespace: 'shop' },
    to: { service: 'tax', cluster: 'prod-us', namespace: 'shop' },
    calls: 3,
    errors: 0,
    meanDurationMs: 40,
  },
];

const k = (kind: string, name: string, ns?: string) => `${C}/${ns ?? '-'}/${kind}/${name}`;

function edges(g: TopologyGraph, kind: EdgeKind): string[] {
  return g
    .allEdges()
    .filter((e) => e.kind === kind)
    .map((e) => `${e.from} -> ${e.to} [${e.evidence.join('; ')}]`)
    .sort();
}

describe('buildTopology', () => {
  const g = buildTopology(C, shop(), CALLS, 0);

  it('links owners to what they own: Deployment → ReplicaSet → Pod, StatefulSet, DaemonSet, CronJob → Job → Pod', () => {
    expect(edges(g, 'owns')).toEqual(
      [
        `${k('CronJob', 'nightly-report', 'shop')} -> ${k('Job', 'nightly-report-2911', 'shop')} [ownerReference (controller)]`,
        `${k('DaemonSet', 'log-agent', 'kube-system')} -> ${k('Pod', 'log-agent-x', 'kube-system')} [ownerReference (controller)]`,
        `${k('Deployment', 'checkout', 'shop')} -> ${k('ReplicaSet', 'checkout-7d9f', 'shop')} [ownerReference (controller)]`,
        `${k('Job', 'nightly-report-2911', 'shop')} -> ${k('Pod', 'nightly-report-2911-q', 'shop')} [ownerReference (controller)]`,
        `${k('ReplicaSet', 'checkout-7d9f', 'shop')} -> ${k('Pod', 'checkout-7d9f-a', 'shop')} [ownerReference (controller)]`,
        `${k('StatefulSet', 'postgres', 'shop')} -> ${k('Pod', 'postgres-0', 'shop')} [ownerReference (controller)]`,
      ].sort(),
    );
  });

  it("links a Service to the pods its selector matches (every label), and to its EndpointSlices' pods", () => {
    expect(edges(g, 'selects')).toEqual([
      `${k('Service', 'checkout', 'shop')} -> ${k('Pod', 'checkout-7d9f-a', 'shop')} [selector app=checkout,tier=web]`,
    ]);
    expect(edges(g, 'endpoint')).toEqual([
      `${k('Service', 'checkout', 'shop')} -> ${k('Pod', 'checkout-7d9f-a', 'shop')} [EndpointSlice checkout-x1 (not ready)]`,
    ]);
  });

  it('links an Ingress to the Services of its rules and default backend; a missing one is marked', () => {
    expect(edges(g, 'routes_to')).toEqual([
      `${k('Ingress', 'shop', 'shop')} -> ${k('Service', 'checkout', 'shop')} [shop.example.com/checkout]`,
      `${k('Ingress', 'shop', 'shop')} -> ${k('Service', 'storefront', 'shop')} [default backend]`,
    ]);
    expect(g.node(k('Service', 'storefront', 'shop'))?.missing).toBe(true);
    expect(g.node(k('Service', 'checkout', 'shop'))?.missing).toBeUndefined();
  });

  it('links pods to their node, claims and volumes', () => {
    expect(edges(g, 'runs_on')).toEqual([
      `${k('Pod', 'checkout-7d9f-a', 'shop')} -> ${k('Node', 'node-a')} [spec.nodeName node-a]`,
      `${k('Pod', 'postgres-0', 'shop')} -> ${k('Node', 'node-a')} [spec.nodeName node-a]`,
    ]);
    expect(edges(g, 'mounts')).toEqual([
      `${k('Pod', 'postgres-0', 'shop')} -> ${k('PersistentVolumeClaim', 'data-postgres-0', 'shop')} [volume data]`,
    ]);
    expect(edges(g, 'bound_to')).toEqual([
      `${k('PersistentVolumeClaim', 'data-postgres-0', 'shop')} -> ${k('PersistentVolume', 'pvc-1234')} [spec.volumeName pvc-1234]`,
    ]);
  });

  it('links pods to the ConfigMaps and Secrets they read, saying how', () => {
    const pod = k('Pod', 'checkout-7d9f-a', 'shop');
    expect(edges(g, 'uses_configmap')).toEqual(
      [
        `${pod} -> ${k('ConfigMap', 'ca-bundle', 'shop')} [projected volume bundle]`,
        `${pod} -> ${k('ConfigMap', 'checkout-env', 'shop')} [envFrom (container app)]`,
        `${pod} -> ${k('ConfigMap', 'checkout-settings', 'shop')} [volume settings]`,
        `${pod} -> ${k('ConfigMap', 'feature-flags', 'shop')} [env FLAGS (container app)]`,
      ].sort(),
    );
    expect(edges(g, 'uses_secret')).toEqual(
      [
        `${pod} -> ${k('Secret', 'checkout-api-keys', 'shop')} [envFrom (container app)]`,
        `${pod} -> ${k('Secret', 'checkout-tls', 'shop')} [volume tls]`,
        `${pod} -> ${k('Secret', 'db-credentials', 'shop')} [env DB_PASSWORD (container app)]`,
        `${pod} -> ${k('Secret', 'registry-creds', 'shop')} [imagePullSecrets]`,
        `${pod} -> ${k('Secret', 'sa-token', 'shop')} [projected volume bundle]`,
      ].sort(),
    );
  });

  it('links a workload to its HorizontalPodAutoscaler', () => {
    expect(edges(g, 'scaled_by')).toEqual([
      `${k('Deployment', 'checkout', 'shop')} -> ${k('HorizontalPodAutoscaler', 'checkout', 'shop')} [scaleTargetRef, 2-10 replicas]`,
    ]);
  });

  it('links services that call each other in traces, to their Kubernetes Service when there is one', () => {
    expect(edges(g, 'calls')).toEqual(
      [
        `${k('Service', 'checkout', 'shop')} -> ${k('Service', 'payments', 'payments')} [120 calls, 30 errors, mean 85.3 ms (traces)]`,
        `${k('Service', 'payments', 'payments')} -> ${k('Service', 'fraud-check', 'payments')} [118 calls, 0 errors, mean 12 ms (traces)]`,
      ].sort(),
    );
    expect(g.node(k('Service', 'fraud-check', 'payments'))).toMatchObject({ observed: true });
    // A call into another cluster is not an edge of this cluster's graph.
    expect(g.node(k('Service', 'tax', 'shop'))).toBeUndefined();
  });

  it('covers every edge kind', () => {
    expect(new Set(g.allEdges().map((e) => e.kind))).toEqual(new Set(EDGE_KINDS));
  });

  it('marks a referenced ConfigMap that does not exist (CreateContainerConfigError) as missing', () => {
    const objects = [
      snap('Pod', 'web', 'shop', {
        spec: { containers: [{ name: 'web', envFrom: [{ configMapRef: { name: 'web-config' } }] }] },
      }),
    ];
    const g2 = buildTopology(C, objects);
    expect(g2.node(k('ConfigMap', 'web-config', 'shop'))).toMatchObject({ missing: true });
    expect(g2.upstream(k('Pod', 'web', 'shop'), 3).map((r) => r.node.key)).toEqual([
      k('ConfigMap', 'web-config', 'shop'),
    ]);
  });

  it('says which references are optional, so a missing optional one is not taken for the cause', () => {
    const objects = [
      snap('Pod', 'web', 'shop', {
        spec: {
          volumes: [{ name: 'extra', configMap: { name: 'web-extra', optional: true } }],
          containers: [
            {
              name: 'web',
              env: [
                {
                  name: 'TOKEN',
                  valueFrom: { secretKeyRef: { name: 'web-token', key: 't', optional: true } },
                },
              ],
              envFrom: [{ configMapRef: { name: 'web-config' } }],
            },
          ],
        },
      }),
    ];
    const g2 = buildTopology(C, objects);
    expect([...edges(g2, 'uses_configmap'), ...edges(g2, 'uses_secret')]).toEqual([
      `${k('Pod', 'web', 'shop')} -> ${k('ConfigMap', 'web-config', 'shop')} [envFrom (container web)]`,
      `${k('Pod', 'web', 'shop')} -> ${k('ConfigMap', 'web-extra', 'shop')} [volume extra (optional)]`,
      `${k('Pod', 'web', 'shop')} -> ${k('Secret', 'web-token', 'shop')} [env TOKEN (container web) (optional)]`,
    ]);
  });

  it('ignores deleted objects and other clusters', () => {
    const objects = [
      { ...snap('Pod', 'gone', 'shop', {}), deleted: true },
      {
        ...snap('Pod', 'elsewhere', 'shop', {}),
        ref: { cluster: 'prod-us', kind: 'Pod', name: 'elsewhere', namespace: 'shop' },
      },
    ];
    expect(buildTopology(C, objects).allNodes()).toEqual([]);
  });
});

describe('graph queries', () => {
  const g = buildTopology(C, shop(), CALLS, 0);

  it('lists what a pod depends on and what depends on it', () => {
    const n = g.neighbours(k('Pod', 'postgres-0', 'shop'));
    expect(n.dependsOn.map((e) => `${e.kind} ${e.to}`).sort()).toEqual([
      `mounts ${k('PersistentVolumeClaim', 'data-postgres-0', 'shop')}`,
      `runs_on ${k('Node', 'node-a')}`,
    ]);
    expect(n.dependents.map((e) => `${e.kind} ${e.from}`)).toEqual([
      `owns ${k('StatefulSet', 'postgres', 'shop')}`,
    ]);
  });

  it('walks upstream to everything an Ingress needs, nearest first', () => {
    const up = g.upstream(k('Ingress', 'shop', 'shop'), 10);
    const depthOf = new Map(up.map((r) => [r.node.key, r.depth]));
    expect(depthOf.get(k('Service', 'checkout', 'shop'))).toBe(1);
    expect(depthOf.get(k('Pod', 'checkout-7d9f-a', 'shop'))).toBe(2);
    expect(depthOf.get(k('Node', 'node-a'))).toBe(3);
    expect(depthOf.get(k('Secret', 'db-credentials', 'shop'))).toBe(3);
    expect(depthOf.get(k('Service', 'payments', 'payments'))).toBe(2);
    expect(depthOf.get(k('Service', 'fraud-check', 'payments'))).toBe(3);
    expect(up.map((r) => r.depth)).toEqual([...up.map((r) => r.depth)].sort((a, b) => a - b));
    expect(g.upstream(k('Ingress', 'shop', 'shop'), 1).every((r) => r.depth === 1)).toBe(true);
  });

  it("gives a node's blast radius: its pods, their owners, the Services and Ingress in front of them", () => {
    const down = g.downstream(k('Node', 'node-a'), 10).map((r) => r.node.key);
    expect(down).toEqual(
      expect.arrayContaining([
        k('Pod', 'checkout-7d9f-a', 'shop'),
        k('Pod', 'postgres-0', 'shop'),
        k('ReplicaSet', 'checkout-7d9f', 'shop'),
        k('Deployment', 'checkout', 'shop'),
        k('StatefulSet', 'postgres', 'shop'),
        k('Service', 'checkout', 'shop'),
        k('Ingress', 'shop', 'shop'),
      ]),
    );
    expect(down).not.toContain(k('Pod', 'log-agent-x', 'kube-system'));
    // A failing callee affects its callers, and what routes to them.
    const payments = g.downstream(k('Service', 'payments', 'payments'), 10).map((r) => r.node.key);
    expect(payments).toEqual([k('Service', 'checkout', 'shop'), k('Ingress', 'shop', 'shop')]);
  });
});
