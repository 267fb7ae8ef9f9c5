import { describe, expect, it } from 'vitest';
import { validateManifest } from './validate';

const deployment = (container: Record<string, unknown>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'cart' },
  spec: { template: { spec: { containers: [{ name: 'api', image: 'cart:1', ...container }] } } },
});

describe('validateManifest', () => {
  it('accepts a workload whose resources, probes and ports are well formed', () => {
    const ok = deployment({
      resources: { limits: { memory: '768Mi', cpu: 1 }, requests: { memory: '256Mi', cpu: '250m' } },
      ports: [{ containerPort: 8080, name: 'http' }],
      livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
      env: [{ name: 'MODE', value: 'prod' }],
    });
    expect(validateManifest(ok)).toEqual({ ok: true });
  });

  it('refuses bad quantities, a request above its limit, ports out of range', () => {
    const bad = validateManifest(
      deployment({
        resources: { limits: { memory: '768 MB' } },
        livenessProbe: { tcpSocket: { port: 70000 } },
      }),
    );
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.issues.join('\n')).toMatch(/resources\.limits\.memory: not a Kubernetes quantity/);
    expect(!bad.ok && bad.issues.join('\n')).toMatch(/livenessProbe\.tcpSocket\.port/);
    const above = validateManifest(
      deployment({ resources: { limits: { memory: '512Mi' }, requests: { memory: '1Gi' } } }),
    );
    expect(!above.ok && above.issues[0]).toMatch(/request is above the limit 512Mi/);
  });

  it('checks Service selectors and ports and HPA replica bounds', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'cart' } };
    expect(
      validateManifest({
        ...svc,
        spec: { selector: { app: 'cart' }, ports: [{ port: 80, targetPort: 'http' }] },
      }).ok,
    ).toBe(true);
    expect(validateManifest({ ...svc, spec: { selector: { app: 'cart shop' } } }).ok).toBe(false);
    const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'cart' } };
    const target = { kind: 'Deployment', name: 'cart' };
    expect(
      validateManifest({ ...hpa, spec: { scaleTargetRef: target, minReplicas: 2, maxReplicas: 6 } }).ok,
    ).toBe(true);
    expect(
      validateManifest({ ...hpa, spec: { scaleTargetRef: target, minReplicas: 8, maxReplicas: 6 } }).ok,
    ).toBe(false);
    expect(validateManifest({ ...hpa, spec: { scaleTargetRef: target, maxReplicas: '6' } }).ok).toBe(false);
  });

  it('checks a strategic-merge patch without asking for what it leaves out', () => {
    const patch = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'cart' },
      spec: {
        template: { spec: { containers: [{ name: 'api', resources: { limits: { memory: '1Gi' } } }] } },
      },
    };
    expect(validateManifest(patch, { partial: true })).toEqual({ ok: true });
    expect(validateManifest({ kind: 'Deployment', spec: { replicas: 3 } }, { partial: true })).toEqual({
      ok: true,
    });
    expect(validateManifest({ kind: 'Deployment', spec: { replicas: 3 } }).ok).toBe(false);
  });
});
