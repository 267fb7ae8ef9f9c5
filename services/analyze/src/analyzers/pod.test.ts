import { describe, expect, it } from 'vitest';
import { Finding } from './finding';
import { MemoryContext } from './memory-context';
import { podAnalyzer } from './pod';
import { NOW, event, logLine, ref, snap } from './testing/kube';

const POD = ref('Pod', 'api-7d9f-abcde');
const owned = { ownerReferences: [{ kind: 'ReplicaSet', name: 'api-7d9f', controller: true }] };
const rs = snap(ref('ReplicaSet', 'api-7d9f'), {
  metadata: { ownerReferences: [{ kind: 'Deployment', name: 'api', controller: true }] },
});

function pod(
  container: Record<string, unknown>,
  status: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return snap(POD, {
    metadata: owned,
    spec: {
      containers: [{ name: 'api', image: 'registry.example.com/shop/api:1.4.2', ...container }],
      ...extra,
    },
    status: { phase: 'Running', containerStatuses: [{ name: 'api', ...status }] },
  });
}

const healthy = pod(
  {},
  { ready: true, restartCount: 0, state: { running: { startedAt: '2026-03-02T10:00:00Z' } } },
);

async function run(ctx: MemoryContext) {
  const findings = await podAnalyzer.analyze(POD, ctx);
  for (const f of findings) Finding.parse(f);
  return findings;
}

describe('pod analyzer', () => {
  it('finds nothing wrong with a running, ready pod', async () => {
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [healthy, rs],
      logs: [logLine(POD, 'api', 'listening on :8080')],
    });
    expect(await run(ctx)).toEqual([]);
  });

  it("explains a crash loop with the previous instance's last error line", async () => {
    const crashing = pod(
      {},
      {
        restartCount: 7,
        state: {
          waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' },
        },
        lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-03-02T11:58:00Z' } },
      },
    );
    const cause = logLine(POD, 'api', 'FATAL: could not connect to postgres at db:5432: connection refused', {
      previous: true,
      severity: 'fatal',
      agoMs: 130_000,
    });
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [crashing, rs],
      logs: [logLine(POD, 'api', 'starting api 1.4.2', { previous: true, agoMs: 140_000 }), cause],
    });
    const [f, ...rest] = await run(ctx);
    expect(rest).toEqual([]);
    expect(f?.failureMode).toBe('crash-loop');
    expect(f?.resource).toEqual(POD);
    expect(f?.title).toContain('exit code 1');
    expect(f?.explanation).toContain('could not connect to postgres');
    expect(f?.evidence).toContainEqual(expect.objectContaining({ signal: { kind: 'log', ids: [cause.id] } }));
    expect(f?.remediation?.commands).toContain('kubectl logs api-7d9f-abcde -c api --previous -n shop');
  });

  it('weighs an OOM kill against the limit and the usage before it, and proposes a higher limit on the Deployment', async () => {
    const killed = pod(
      { resources: { limits: { memory: '256Mi' } } },
      {
        restartCount: 3,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: '2026-03-02T11:59:00Z' } },
      },
    );
    const points: [number, number][] = [0, 1, 2, 3].map((i) => [
      NOW - 600_000 + i * 60_000,
      (200 + i * 18) * 2 ** 20,
    ]);
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [killed, rs, snap(ref('Deployment', 'api'), {})],
      series: [
        {
          name: 'container_memory_working_set_bytes',
          labels: { container: 'api', pod: POD.name },
          cluster: 'prod',
          namespace: 'shop',
          pod: POD.name,
          points,
        },
      ],
    });
    const findings = await run(ctx);
    expect(findings.map((f) => f.failureMode)).toEqual(['oom-killed']);
    const f = findings[0];
    expect(f?.title).toContain('256Mi');
    expect(f?.explanation).toContain('peaked at 254Mi');
    expect(f?.evidence.some((e) => e.signal.kind === 'series')).toBe(true);
    expect(f?.remediation?.patch).toMatchObject({
      kind: 'Deployment',
      name: 'api',
      field: 'spec.template.spec.containers[name=api].resources.limits.memory',
      from: '256Mi',
      to: '384Mi',
    });
  });

  it('sees a container climbing to its memory limit before the kernel kills it, and not one resting near it', async () => {
    const limited = pod(
      { resources: { limits: { memory: '1Gi' } } },
      { ready: true, restartCount: 0, state: { running: {} } },
    );
    const working = (mib: (i: number) => number) => ({
      name: 'container_memory_working_set_bytes',
      labels: { container: 'api', pod: POD.name },
      cluster: 'prod',
      namespace: 'shop',
      pod: POD.name,
      points: [0, 1, 2, 3, 4].map((i): [number, number] => [NOW - 240_000 + i * 60_000, mib(i) * 2 ** 20]),
    });
    const climbing = new MemoryContext({
      nowMs: NOW,
      objects: [limited, rs],
      series: [working((i) => 700 + i * 70)],
    });
    const [f, ...rest] = await run(climbing);
    expect(rest).toEqual([]);
    expect(f?.failureMode).toBe('memory-near-limit');
    expect(f?.title).toBe(
      'container api of pod api-7d9f-abcde is at 96% of its 1Gi memory limit and climbing',
    );
    expect(f?.explanation).toContain('reaches its 1Gi limit in about 38 s');
    expect(f?.remediation?.patch).toMatchObject({ kind: 'Deployment', from: '1Gi', to: '1536Mi' });
    // 92% of the limit for five minutes is a plateau, not a leak.
    const resting = new MemoryContext({ nowMs: NOW, objects: [limited, rs], series: [working(() => 940)] });
    expect(await run(resting)).toEqual([]);
  });

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

  it('names the failing probe, its path and port, and a port the container does not declare', async () => {
    const probing = pod(
      {
        ports: [{ containerPort: 8080, name: 'http' }],
        readinessProbe: { httpGet: { path: '/ready', port: 9090 } },
      },
      { ready: false, restartCount: 0, state: { running: {} } },
    );
    const ev = event(
      POD,
      'Unhealthy',
      'Readiness probe failed: Get "http://10.1.2.3:9090/ready": dial tcp 10.1.2.3:9090: connect: connection refused',
      { count: 12 },
    );
    const [f] = await run(new MemoryContext({ nowMs: NOW, objects: [probing, rs], events: [ev] }));
    expect(f?.failureMode).toBe('readiness-probe-failing');
    expect(f?.title).toContain('HTTP GET :9090/ready');
    expect(f?.explanation).toContain('12 times');
    expect(f?.explanation).toContain('not one the container declares (8080 (http))');
  });

  it("quotes the scheduler for a pod it cannot place, with the pod's requests", async () => {
    const pending = snap(POD, {
      metadata: owned,
      spec: { containers: [{ name: 'api', resources: { requests: { cpu: '4', memory: '16Gi' } } }] },
      status: {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }],
      },
    });
    const ev = event(
      POD,
      'FailedScheduling',
      '0/5 nodes are available: 5 Insufficient memory. preemption: 0/5 nodes are available.',
    );
    const [f] = await run(new MemoryContext({ nowMs: NOW, objects: [pending, rs], events: [ev] }));
    expect(f?.failureMode).toBe('unschedulable');
    expect(f?.title).toBe(
      'Pod api-7d9f-abcde cannot be scheduled: no node has enough free capacity for its requests',
    );
    expect(f?.explanation).toContain('api: cpu 4, memory 16Gi');
  });

  it('ranks a pod waiting on an unbound claim below the claim that explains it', async () => {
    const pending = snap(POD, {
      metadata: owned,
      spec: { containers: [{ name: 'api' }] },
      status: {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }],
      },
    });
    const ev = event(
      POD,
      'FailedScheduling',
      '0/4 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/4 nodes are available.',
    );
    const [f] = await run(new MemoryContext({ nowMs: NOW, objects: [pending, rs], events: [ev] }));
    expect(f?.title).toContain('a volume it mounts is not bound');
    // The PVC analyzer's findings (0.75-0.9) come first.
    expect(f?.confidence).toBeLessThan(0.75);
  });
});
