import { describe, expect, it } from 'vitest';
import { MemoryContext } from './memory-context';
import { NOW, logLine, ref, snap } from './testing/kube';
import { POD, pod, rs, run } from './testing/pod';

describe('pod analyzer: crash loops and OOM kills', () => {
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
});
