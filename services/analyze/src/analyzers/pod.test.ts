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
    expect(f?.remediation?.patch).toBeUndefined();
  });

  it('proposes adding the environment variable the crash log names, its value left for a person', async () => {
    const crashing = (container: Record<string, unknown>) =>
      pod(container, {
        restartCount: 5,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-03-02T11:58:00Z' } },
      });
    const lines = [
      logLine(POD, 'api', 'Starting PaymentsApplication v2.4.1', { previous: true, agoMs: 140_000 }),
      logLine(
        POD,
        'api',
        'java.lang.IllegalStateException: required environment variable PAYMENTS_DB_URL is not set',
        {
          previous: true,
          severity: 'error',
          agoMs: 130_000,
        },
      ),
      logLine(
        POD,
        'api',
        '\tat com.example.payments.config.DataSourceConfig.requireEnv(DataSourceConfig.java:31)',
        {
          previous: true,
          agoMs: 130_000,
        },
      ),
    ];
    const analyze = async (container: Record<string, unknown>, logs = lines) => {
      const [f] = await run(new MemoryContext({ nowMs: NOW, objects: [crashing(container), rs], logs }));
      expect(f?.failureMode).toBe('crash-loop');
      return f;
    };
    const f = await analyze({ env: [{ name: 'LOG_LEVEL', value: 'info' }] });
    expect(f?.confidence).toBe(0.9);
    expect(f?.remediation?.patch).toEqual({
      kind: 'Deployment',
      name: 'api',
      namespace: 'shop',
      field: 'spec.template.spec.containers[name=api].env[name=PAYMENTS_DB_URL].value',
      from: '(unset)',
      to: '',
      rationale:
        "The previous instance's log says the environment variable PAYMENTS_DB_URL is required and not set, and the container does not define it; its value is left for a person to set.",
    });
    expect(f?.remediation?.steps[0]).toContain('add PAYMENTS_DB_URL to the pod template');
    // The container reads envFrom, where the variable may belong: no patch.
    const envFrom = await analyze({ envFrom: [{ configMapRef: { name: 'api-config' } }] });
    expect(envFrom?.remediation?.patch).toBeUndefined();
    // The container defines it (perhaps empty): adding it again fixes nothing.
    const defined = await analyze({ env: [{ name: 'PAYMENTS_DB_URL', value: '' }] });
    expect(defined?.remediation?.patch).toBeUndefined();
    // Two variables named: one entry would not be enough, so a person decides.
    const two = await analyze({}, [
      ...lines,
      logLine(POD, 'api', 'missing required env var LEDGER_URL', { previous: true, agoMs: 131_000 }),
    ]);
    expect(two?.remediation?.patch).toBeUndefined();
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
    expect(f?.remediation?.patch).toEqual({
      kind: 'Deployment',
      name: 'api',
      namespace: 'shop',
      field: 'spec.template.spec.containers[name=api].readinessProbe.httpGet.port',
      from: '9090',
      to: '8080',
      rationale: 'The container declares one port, 8080; the probe checks 9090, which it does not declare.',
    });
  });

  it('points a probe at the one declared port only when that port is certain', async () => {
    const failing = (container: Record<string, unknown>) => {
      const probing = pod(container, { ready: false, restartCount: 4, state: { running: {} } });
      const ev = event(
        POD,
        'Unhealthy',
        'Liveness probe failed: Get "http://10.1.2.3:8081/healthz": dial tcp 10.1.2.3:8081: connect: connection refused',
        { count: 9 },
      );
      return run(new MemoryContext({ nowMs: NOW, objects: [probing, rs], events: [ev] }));
    };
    // A probe naming a port the container does not declare: the declared port's name.
    const [named] = await failing({
      ports: [
        { containerPort: 8080, name: 'http' },
        { containerPort: 53, name: 'dns', protocol: 'UDP' },
      ],
      livenessProbe: { tcpSocket: { port: 'htpp' } },
    });
    expect(named?.failureMode).toBe('liveness-probe-failing');
    expect(named?.remediation?.patch).toMatchObject({
      field: 'spec.template.spec.containers[name=api].livenessProbe.tcpSocket.port',
      from: 'htpp',
      to: 'http',
    });
    // Two TCP ports: which one the probe should check is a guess, so no patch.
    const [two] = await failing({
      ports: [
        { containerPort: 8080, name: 'http' },
        { containerPort: 9090, name: 'metrics' },
      ],
      livenessProbe: { httpGet: { path: '/healthz', port: 8081 } },
    });
    expect(two?.explanation).toContain('not one the container declares');
    expect(two?.remediation?.patch).toBeUndefined();
    // A probe on a declared port fails for another reason: no patch either.
    const [declared] = await failing({
      ports: [{ containerPort: 8081 }],
      livenessProbe: { httpGet: { path: '/healthz', port: 8081 } },
    });
    expect(declared?.remediation?.patch).toBeUndefined();
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

  it('proposes setting back a request no node can hold to what the previous revision ran with', async () => {
    const requests = (cpu: string) => ({ resources: { requests: { cpu, memory: '512Mi' } } });
    const pending = snap(POD, {
      metadata: { ownerReferences: [{ kind: 'ReplicaSet', name: 'api-7d9f', controller: true }] },
      spec: { containers: [{ name: 'api', image: 'api:2', ...requests('8') }] },
      status: {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }],
      },
    });
    const revision = (name: string, n: number, cpu: string, available: number) =>
      snap(ref('ReplicaSet', name), {
        metadata: {
          annotations: { 'deployment.kubernetes.io/revision': String(n) },
          ownerReferences: [{ kind: 'Deployment', name: 'api', controller: true }],
        },
        spec: { template: { spec: { containers: [{ name: 'api', image: 'api:2', ...requests(cpu) }] } } },
        status: { availableReplicas: available },
      });
    const node = (name: string, cpu: string) =>
      snap(ref('Node', name, null), { status: { allocatable: { cpu, memory: '15Gi' } } });
    const deployment = snap(ref('Deployment', 'api'), {});
    const analyze = async (
      message: string,
      nodes = [node('node-a', '3920m'), node('node-b', '4')],
      previous = 3,
    ) => {
      const objects = [
        pending,
        deployment,
        revision('api-7d9f', 4, '8', 0),
        revision('api-5b8c', 3, '800m', previous),
        ...nodes,
      ];
      const ev = event(POD, 'FailedScheduling', message);
      const [f] = await run(new MemoryContext({ nowMs: NOW, objects, events: [ev] }));
      expect(f?.failureMode).toBe('unschedulable');
      return f;
    };
    const short =
      '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.';
    const f = await analyze(short);
    expect(f?.confidence).toBe(0.9);
    expect(f?.remediation?.patch).toEqual({
      kind: 'Deployment',
      name: 'api',
      namespace: 'shop',
      field: 'spec.template.spec.containers[name=api].resources.requests.cpu',
      from: '8',
      to: '800m',
      rationale:
        'No node can hold a cpu request of 8 (the largest allocates 4); the previous revision requested 800m and ran.',
    });
    expect(f?.remediation?.steps[0]).toContain('the latest rollout raised it from 800m');
    // A node could hold it: the cluster is full, which is a capacity question.
    expect((await analyze(short, [node('node-c', '16')]))?.remediation?.patch).toBeUndefined();
    // The scheduler names another reason too: lowering the request alone may not place it.
    const mixed =
      '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {gpu: true}. preemption: 0/2 nodes are available.';
    expect((await analyze(mixed))?.remediation?.patch).toBeUndefined();
    // The previous revision never ran: its request is no evidence.
    expect((await analyze(short, undefined, 0))?.remediation?.patch).toBeUndefined();
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
