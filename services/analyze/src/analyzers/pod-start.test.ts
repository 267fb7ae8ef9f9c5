import { describe, expect, it } from 'vitest';
import { MemoryContext } from './memory-context';
import { NOW, event, ref, snap } from './testing/kube';
import { POD, pod, rs, run } from './testing/pod';

describe('pod analyzer: images and container config', () => {
  it('quotes the registry when an image cannot be pulled', async () => {
    const stuck = pod(
      {},
      { state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } } },
    );
    const ev = event(
      POD,
      'Failed',
      'Failed to pull image "registry.example.com/shop/api:1.4.2": rpc error: manifest unknown: manifest unknown',
    );
    const ctx = new MemoryContext({ nowMs: NOW, objects: [stuck, rs], events: [ev] });
    const [f] = await run(ctx);
    expect(f?.failureMode).toBe('image-pull-error');
    expect(f?.explanation).toContain('does not exist');
    expect(f?.explanation).toContain('manifest unknown');
    expect(f?.evidence).toContainEqual(expect.objectContaining({ signal: { kind: 'event', ids: [ev.id] } }));
  });

  it('proposes rolling a bad tag back to the image the previous ReplicaSet runs, and only then', async () => {
    const stuck = pod(
      {},
      { state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } } },
    );
    const ev = event(
      POD,
      'Failed',
      'Failed to pull image "registry.example.com/shop/api:1.4.2": rpc error: manifest unknown: manifest unknown',
    );
    const revision = (name: string, n: number, image: string, available: number) =>
      snap(ref('ReplicaSet', name), {
        metadata: {
          annotations: { 'deployment.kubernetes.io/revision': String(n) },
          ownerReferences: [{ kind: 'Deployment', name: 'api', controller: true }],
        },
        spec: { template: { spec: { containers: [{ name: 'api', image }] } } },
        status: { availableReplicas: available },
      });
    const deployment = snap(ref('Deployment', 'api'), {
      spec: {
        template: { spec: { containers: [{ name: 'api', image: 'registry.example.com/shop/api:1.4.2' }] } },
      },
    });
    const current = revision('api-7d9f', 3, 'registry.example.com/shop/api:1.4.2', 0);
    const analyze = async (previous: ReturnType<typeof revision>) => {
      const ctx = new MemoryContext({
        nowMs: NOW,
        objects: [stuck, deployment, current, previous],
        events: [ev],
      });
      const [f] = await run(ctx);
      expect(f?.failureMode).toBe('image-pull-error');
      return f;
    };
    const f = await analyze(revision('api-5b8c', 2, 'registry.example.com/shop/api:1.4.1', 3));
    expect(f?.remediation?.patch).toEqual({
      kind: 'Deployment',
      name: 'api',
      namespace: 'shop',
      field: 'spec.template.spec.containers[name=api].image',
      from: 'registry.example.com/shop/api:1.4.2',
      to: 'registry.example.com/shop/api:1.4.1',
      rationale:
        'The previous revision ran registry.example.com/shop/api:1.4.1 with 3 available replicas; the new tag cannot be pulled.',
    });
    expect(f?.confidence).toBe(0.9);
    expect(f?.evidence.at(-1)?.summary).toBe(
      'ReplicaSet api-5b8c (revision 2) runs registry.example.com/shop/api:1.4.1 with 3 available',
    );
    // The previous revision never became available: going back is no safer.
    const notRunning = await analyze(revision('api-5b8c', 2, 'registry.example.com/shop/api:1.4.1', 0));
    expect(notRunning?.remediation?.patch).toBeUndefined();
    // The rollout moved to another repository: that is a person's call.
    const moved = await analyze(revision('api-5b8c', 2, 'registry.example.com/legacy/api:1.4.1', 3));
    expect(moved?.remediation?.patch).toBeUndefined();
  });

  it('names the missing Secret key behind CreateContainerConfigError, without its values', async () => {
    const env = [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-creds', key: 'password' } } }];
    const stuck = pod(
      { env },
      {
        state: {
          waiting: {
            reason: 'CreateContainerConfigError',
            message: "couldn't find key password in Secret shop/db-creds",
          },
        },
      },
    );
    const secret = snap(ref('Secret', 'db-creds'), { data: { username: 'c2VjcmV0LXVzZXI=' } });
    const ctx = new MemoryContext({ nowMs: NOW, objects: [stuck, rs, secret] });
    const [f] = await run(ctx);
    expect(f?.failureMode).toBe('container-config-error');
    expect(f?.title).toContain('key password of Secret db-creds');
    const fields = f?.evidence.map((e) => (e.signal.kind === 'object' ? e.signal.field : undefined));
    expect(fields).toContain('spec.containers[name=api].env[name=DB_PASSWORD]');
    expect(JSON.stringify(f)).not.toContain('c2VjcmV0');
  });

  it('proposes the ConfigMap key the previous revision read, only when it exists', async () => {
    const envOf = (key: string) => [
      { name: 'FEATURE_FLAGS', valueFrom: { configMapKeyRef: { name: 'api-config', key } } },
    ];
    const stuck = pod(
      { env: envOf('feature-flags') },
      {
        state: {
          waiting: {
            reason: 'CreateContainerConfigError',
            message: "couldn't find key feature-flags in ConfigMap shop/api-config",
          },
        },
      },
    );
    const revision = (name: string, n: number, key: string) =>
      snap(ref('ReplicaSet', name), {
        metadata: {
          annotations: { 'deployment.kubernetes.io/revision': String(n) },
          ownerReferences: [{ kind: 'Deployment', name: 'api', controller: true }],
        },
        spec: { template: { spec: { containers: [{ name: 'api', image: 'api:1', env: envOf(key) }] } } },
      });
    const deployment = snap(ref('Deployment', 'api'), {
      spec: { template: { spec: { containers: [{ name: 'api', env: envOf('feature-flags') }] } } },
    });
    const analyze = async (configKeys: string[]) => {
      const config = snap(ref('ConfigMap', 'api-config'), {
        data: Object.fromEntries(configKeys.map((k) => [k, 'on'])),
      });
      const objects = [
        stuck,
        deployment,
        revision('api-7d9f', 4, 'feature-flags'),
        revision('api-5b8c', 3, 'feature_flags'),
        config,
      ];
      const [f] = await run(new MemoryContext({ nowMs: NOW, objects }));
      expect(f?.failureMode).toBe('container-config-error');
      return f;
    };
    const f = await analyze(['feature_flags', 'log_level']);
    expect(f?.confidence).toBe(0.95);
    expect(f?.remediation?.patch).toEqual({
      kind: 'Deployment',
      name: 'api',
      namespace: 'shop',
      field: 'spec.template.spec.containers[name=api].env[name=FEATURE_FLAGS].valueFrom.configMapKeyRef.key',
      from: 'feature-flags',
      to: 'feature_flags',
      rationale:
        'The previous revision read FEATURE_FLAGS from key feature_flags of ConfigMap api-config, which has that key.',
    });
    // The key the previous revision read is gone too: there is no key to point at.
    expect((await analyze(['log_level']))?.remediation?.patch).toBeUndefined();
  });

  it('names a missing ConfigMap even when the kubelet message is terse', async () => {
    const stuck = pod(
      { envFrom: [{ configMapRef: { name: 'api-config' } }] },
      {
        state: {
          waiting: { reason: 'CreateContainerConfigError', message: 'configmap "api-config" not found' },
        },
      },
    );
    const [f] = await run(new MemoryContext({ nowMs: NOW, objects: [stuck, rs] }));
    expect(f?.title).toContain('ConfigMap api-config');
    expect(f?.remediation?.commands).toContain('kubectl get configmap api-config -n shop');
  });
});
