import type { ServiceCall } from '@sleuth/store';
import { describe, expect, it } from 'vitest';
import { MemoryContext } from './memory-context';
import { analyzeResource } from './registry';
import { NOW, event, logLine, ref, snap } from './testing/kube';

const ready = [{ type: 'Ready', status: 'True' }];
const tpl = (app: string) => ({
  metadata: { labels: { app } },
  spec: {
    containers: [
      {
        name: app,
        image: `shop/${app}:1.0.0`,
        ports: [{ containerPort: 8080, name: 'http' }],
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
        readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
        envFrom: [{ configMapRef: { name: `${app}-config` } }],
      },
    ],
  },
});

/** One healthy app: Deployment, its ReplicaSet, two ready pods, a Service, a ConfigMap. */
function app(name: string) {
  const rsName = `${name}-5f6d`;
  const pods = ['a', 'b'].map((s) =>
    snap(ref('Pod', `${rsName}-${s}`), {
      metadata: {
        labels: { app: name },
        ownerReferences: [{ kind: 'ReplicaSet', name: rsName, controller: true }],
      },
      spec: { ...tpl(name).spec, nodeName: 'worker-1' },
      status: {
        phase: 'Running',
        conditions: [...ready, { type: 'PodScheduled', status: 'True' }],
        containerStatuses: [{ name, ready: true, restartCount: 0, state: { running: {} } }],
      },
    }),
  );
  return [
    snap(ref('Deployment', name), {
      spec: { replicas: 2, template: tpl(name) },
      status: {
        availableReplicas: 2,
        updatedReplicas: 2,
        conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }],
      },
    }),
    snap(ref('ReplicaSet', rsName), {
      metadata: {
        annotations: { 'deployment.kubernetes.io/revision': '1' },
        ownerReferences: [{ kind: 'Deployment', name, controller: true }],
      },
      spec: { replicas: 2, template: tpl(name) },
      status: { availableReplicas: 2 },
    }),
    ...pods,
    snap(ref('Service', name), {
      spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 'http' }] },
    }),
    snap(ref('ConfigMap', `${name}-config`), { data: { LOG_LEVEL: 'info' } }),
  ];
}

const objects = [
  ...app('checkout'),
  ...app('payments'),
  snap(ref('Node', 'worker-1', null), {
    status: { conditions: [...ready, { type: 'MemoryPressure', status: 'False' }] },
  }),
  snap(ref('Ingress', 'storefront'), {
    spec: {
      rules: [
        {
          host: 'shop.example.com',
          http: { paths: [{ path: '/', backend: { service: { name: 'checkout', port: { number: 80 } } } }] },
        },
      ],
    },
  }),
  snap(ref('HorizontalPodAutoscaler', 'checkout'), {
    spec: {
      scaleTargetRef: { kind: 'Deployment', name: 'checkout' },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
    },
    status: {
      currentReplicas: 2,
      desiredReplicas: 2,
      conditions: [{ type: 'ScalingActive', status: 'True' }],
    },
  }),
  snap(ref('PodDisruptionBudget', 'payments'), {
    spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'payments' } } },
    status: { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 },
  }),
  snap(ref('NetworkPolicy', 'payments-from-checkout'), {
    spec: {
      podSelector: { matchLabels: { app: 'payments' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'checkout' } } }] }],
    },
  }),
  snap(ref('PersistentVolumeClaim', 'reports'), {
    spec: { storageClassName: 'standard' },
    status: { phase: 'Bound' },
  }),
  snap(ref('CronJob', 'nightly'), { spec: { schedule: '0 3 * * *' } }),
  snap(ref('Secret', 'tls'), { data: { 'tls.crt': 'eA==', 'tls.key': 'eA==' } }),
];
const calls: ServiceCall[] = [
  {
    from: { service: 'checkout', cluster: 'prod', namespace: 'shop' },
    to: { service: 'payments', cluster: 'prod', namespace: 'shop' },
    calls: 900,
    errors: 0,
    meanDurationMs: 12,
  },
];

describe('a healthy cluster', () => {
  it('gives no finding on any of its objects, with ordinary noise in events and logs', async () => {
    const pod = ref('Pod', 'checkout-5f6d-a');
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects,
      calls,
      // An old probe failure during startup and an error log line are not a current problem.
      events: [
        event(pod, 'Unhealthy', 'Readiness probe failed: connection refused', { agoMs: 3_600_000 }),
        event(pod, 'Pulled', 'Successfully pulled image', { type: 'Normal' }),
      ],
      logs: [logLine(pod, 'checkout', 'ERROR payment declined for order 42', { severity: 'error' })],
    });
    for (const o of objects) {
      const { findings, failures } = await analyzeResource(o.ref, ctx);
      expect(failures, o.ref.name).toEqual([]);
      expect(findings, `${o.ref.kind} ${o.ref.name}`).toEqual([]);
    }
  });
});
