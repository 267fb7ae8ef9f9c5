import { describe, expect, it } from 'vitest';
import { MemoryContext } from './memory-context';
import { ANALYZERS, analyzeResource, analyzersFor } from './registry';
import { NOW, ref, snap } from './testing/kube';

describe('analyzer registry', () => {
  it('keys every analyzer by its own id and covers the kinds Sleuth collects', () => {
    for (const [id, a] of Object.entries(ANALYZERS)) {
      expect(a.id).toBe(id);
      expect(a.kinds.length).toBeGreaterThan(0);
    }
    for (const kind of [
      'Pod',
      'Deployment',
      'ReplicaSet',
      'StatefulSet',
      'DaemonSet',
      'Service',
      'Ingress',
      'PersistentVolumeClaim',
      'Node',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'CronJob',
      'Job',
      'NetworkPolicy',
      'ConfigMap',
      'Secret',
    ])
      expect(analyzersFor(kind).length, kind).toBeGreaterThan(0);
  });

  it('runs the analyzers of a kind and reports one that throws without losing the others', async () => {
    const pvc = ref('PersistentVolumeClaim', 'data');
    const ctx = new MemoryContext({ nowMs: NOW, objects: [snap(pvc, { status: { phase: 'Bound' } })] });
    expect(await analyzeResource(pvc, ctx)).toEqual({ findings: [], failures: [] });
    class Broken extends MemoryContext {
      override object(): Promise<undefined> {
        return Promise.reject(new Error('store unavailable'));
      }
    }
    const result = await analyzeResource(pvc, new Broken({ nowMs: NOW }));
    expect(result.failures).toEqual([{ analyzer: 'pvc', error: 'store unavailable' }]);
  });
});
