import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { introducedProblems, modelFor, schemaProblems } from './kube-schema';

const DEPLOYMENT = parse(`
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  namespace: shop
  labels: {app: cart}
spec:
  replicas: 3
  selector: {matchLabels: {app: cart}}
  template:
    metadata: {labels: {app: cart}}
    spec:
      containers:
        - name: api
          image: registry.example/cart:1.4.2
          ports: [{name: http, containerPort: 8080}]
          resources:
            requests: {cpu: 250m, memory: 256Mi}
            limits: {cpu: 1, memory: 512Mi}
          livenessProbe:
            httpGet: {path: /healthz, port: http}
            periodSeconds: 10
          env:
            - {name: MODE, value: prod}
`) as Record<string, unknown>;

type Path = (string | number)[];

/** A copy of the Deployment with `value` set at each path. */
function edited(...changes: [Path, unknown][]): Record<string, unknown> {
  const copy = structuredClone(DEPLOYMENT);
  for (const [path, value] of changes) {
    let node = copy as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    node[path.at(-1) ?? ''] = value;
  }
  return copy;
}

const C0: Path = ['spec', 'template', 'spec', 'containers', 0];

describe('validation against the Kubernetes schema of the kind', () => {
  it('knows the built-in kinds by apiVersion and kind, not custom resources', () => {
    expect(modelFor('apps/v1', 'Deployment')).toBe('V1Deployment');
    expect(modelFor('v1', 'Service')).toBe('V1Service');
    expect(modelFor('autoscaling/v2', 'HorizontalPodAutoscaler')).toBe('V2HorizontalPodAutoscaler');
    expect(modelFor('batch/v1', 'CronJob')).toBe('V1CronJob');
    expect(modelFor('monitoring.coreos.com/v1', 'ServiceMonitor')).toBeUndefined();
    expect(modelFor('apps/v1', 'NoSuchKind')).toBeUndefined();
    expect(schemaProblems({ apiVersion: 'example.com/v1', kind: 'Widget', spec: { x: 1 } })).toBeUndefined();
  });

  it('accepts a valid Deployment, with a number as a CPU quantity and a named probe port', () => {
    expect(schemaProblems(DEPLOYMENT)).toEqual([]);
  });

  it('names each field that is unknown or of the wrong type', () => {
    const bad = edited(
      [[...C0, 'resources', 'limit'], { memory: '1Gi' }], // a typo: limits
      [[...C0, 'resources', 'limits', 'memory'], '1.5 Gi'],
      [[...C0, 'livenessProbe', 'httpGet', 'port'], 80.5],
      [[...C0, 'livenessProbe', 'periodSeconds'], '10'],
      [['spec', 'replicas'], 2.5],
      [[...C0, 'env', 0, 'value'], 3],
      [['metadata', 'labels', 'app'], { nested: true }],
    );
    expect(schemaProblems(bad)).toEqual([
      'metadata.labels.app: expected a string, got a map',
      'spec.replicas: expected an integer, got 2.5',
      'spec.template.spec.containers[0].resources.limits.memory: expected a Kubernetes quantity (e.g. 512Mi, 250m), got string "1.5 Gi"',
      'spec.template.spec.containers[0].resources.limit: unknown field (the Kubernetes schema has no such field here)',
      'spec.template.spec.containers[0].livenessProbe.httpGet.port: expected an integer or a name, got number 80.5',
      'spec.template.spec.containers[0].livenessProbe.periodSeconds: expected a number, got string "10"',
      'spec.template.spec.containers[0].env[0].value: expected a string, got number 3',
    ]);
  });

  it('checks partial objects (overlay patches) for fields and types, not completeness', () => {
    const patch = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'cart' },
      spec: {
        template: {
          spec: {
            containers: [{ name: 'api', resources: { limits: { memory: '1Gi' } } }],
            $setElementOrder: {},
          },
        },
      },
    };
    expect(schemaProblems(patch, { partial: true })).toEqual([]);
    expect(schemaProblems(patch)).toEqual([
      'spec.template.spec.$setElementOrder: unknown field (the Kubernetes schema has no such field here)',
    ]);
  });

  it('checks a Service and an HPA', () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'cart' },
      spec: { selector: { app: 'cart' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    };
    expect(schemaProblems(svc)).toEqual([]);
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'cart' },
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'cart' }, maxReplicas: '6' },
    };
    expect(schemaProblems(hpa)).toEqual(['spec.maxReplicas: expected a number, got string "6"']);
  });

  it('blames an edit only for the problems it brings, not those the manifest had', () => {
    const had = edited([['spec', 'paused'], 'no']);
    expect(schemaProblems(had)).toEqual(['spec.paused: expected true or false, got string "no"']);
    const fixed = edited([['spec', 'paused'], 'no'], [[...C0, 'resources', 'limits', 'memory'], '768Mi']);
    expect(introducedProblems(had, fixed)).toEqual([]);
    const broken = edited([['spec', 'paused'], 'no'], [[...C0, 'resources', 'limits', 'memory'], '768 Mi']);
    expect(introducedProblems(had, broken)).toEqual([
      'spec.template.spec.containers[0].resources.limits.memory: expected a Kubernetes quantity (e.g. 512Mi, 250m), got string "768 Mi"',
    ]);
    expect(introducedProblems(undefined, 'not an object')).toEqual([]);
  });
});
