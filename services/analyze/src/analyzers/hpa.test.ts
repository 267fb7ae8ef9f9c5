import { describe, expect, it } from 'vitest';
import { Finding } from './finding';
import { hpaAnalyzer } from './hpa';
import { MemoryContext } from './memory-context';
import { NOW, event, ref, snap } from './testing/kube';

const HPA = ref('HorizontalPodAutoscaler', 'api');
const deploy = snap(ref('Deployment', 'api'), {});
const hpa = (target: string, current: number, conditions: Record<string, unknown>[] = []) =>
  snap(HPA, {
    spec: { scaleTargetRef: { kind: 'Deployment', name: target }, minReplicas: 2, maxReplicas: 10 },
    status: { currentReplicas: current, desiredReplicas: current, conditions },
  });
const active = { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound' };

async function run(ctx: MemoryContext) {
  const findings = await hpaAnalyzer.analyze(HPA, ctx);
  for (const f of findings) Finding.parse(f);
  return findings;
}

describe('hpa analyzer', () => {
  it('finds nothing wrong with an HPA scaling within its range', async () => {
    expect(await run(new MemoryContext({ nowMs: NOW, objects: [hpa('api', 4, [active]), deploy] }))).toEqual(
      [],
    );
  });

  it('names a scale target that does not exist', async () => {
    const [f] = await run(new MemoryContext({ nowMs: NOW, objects: [hpa('api-v1', 2), deploy] }));
    expect(f?.failureMode).toBe('missing-scale-target');
    expect(f?.title).toBe('HPA api scales Deployment api-v1, which does not exist');
  });

  it('reports metrics it cannot read, quoting the controller', async () => {
    const failing = {
      type: 'ScalingActive',
      status: 'False',
      reason: 'FailedGetResourceMetric',
      message:
        'the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu',
    };
    const ev = event(
      HPA,
      'FailedGetResourceMetric',
      'failed to get cpu utilization: missing request for cpu',
    );
    const [f] = await run(
      new MemoryContext({ nowMs: NOW, objects: [hpa('api', 2, [failing]), deploy], events: [ev] }),
    );
    expect(f?.failureMode).toBe('metrics-unavailable');
    expect(f?.explanation).toContain('missing request for cpu');
  });

  it('reports an HPA pinned at maxReplicas and proposes headroom', async () => {
    const limited = {
      type: 'ScalingLimited',
      status: 'True',
      reason: 'TooManyReplicas',
      message: 'the desired replica count is more than the maximum replica count',
    };
    const [f] = await run(
      new MemoryContext({ nowMs: NOW, objects: [hpa('api', 10, [active, limited]), deploy] }),
    );
    expect(f?.failureMode).toBe('hpa-at-max');
    expect(f?.remediation?.patch).toMatchObject({ field: 'spec.maxReplicas', from: '10', to: '15' });
  });

  it('explains a utilization target on containers that request none of the resource', async () => {
    const withMetric = snap(HPA, {
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'api' },
        maxReplicas: 10,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
          },
        ],
      },
      status: {
        currentReplicas: 2,
        conditions: [
          {
            type: 'ScalingActive',
            status: 'False',
            reason: 'FailedGetResourceMetric',
            message: 'missing request for cpu',
          },
        ],
      },
    });
    const target = snap(ref('Deployment', 'api'), {
      spec: {
        template: { spec: { containers: [{ name: 'api', resources: { requests: { memory: '256Mi' } } }] } },
      },
    });
    const findings = await run(new MemoryContext({ nowMs: NOW, objects: [withMetric, target] }));
    expect(findings.map((f) => f.failureMode)).toEqual(['missing-resource-requests']);
    expect(findings[0]?.title).toBe('HPA api targets cpu utilization but Deployment api requests no cpu');
  });
});
