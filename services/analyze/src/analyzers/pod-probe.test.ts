import { describe, expect, it } from 'vitest';
import { MemoryContext } from './memory-context';
import { NOW, event } from './testing/kube';
import { POD, pod, rs, run } from './testing/pod';

describe('pod analyzer: probes', () => {
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
});
