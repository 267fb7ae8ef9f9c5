import { describe, expect, it } from 'vitest';
import { Simulator } from '../simulator';
import { at, eventRecords, flatLogs, flatPoints, text, watchRecords } from '../testing/captured-signals';
import { START_MS } from '../testing/scenario';
import { MemoryTransport } from '../transport/memory-transport';

describe('HorizontalPodAutoscalers in the healthy fleet', () => {
  it('sit at their minimum for half an hour: no rescale, utilisation well below target', async () => {
    const transport = new MemoryTransport();
    const sim = new Simulator({ seed: 11, startMs: START_MS, transport });
    await sim.step(30 * 60_000);
    const logs = flatLogs(transport.requests);
    expect(
      eventRecords(logs).filter((e) => e.attributes['k8s.event.reason'] === 'SuccessfulRescale'),
    ).toEqual([]);
    const hpas = watchRecords(logs).filter((w) => w.plural === 'horizontalpodautoscalers');
    const names = new Set(hpas.map((h) => `${h.cluster}/${text(at(h.object, 'metadata', 'name'))}`));
    expect([...names].sort()).toEqual([
      'prod-eu/catalog-api',
      'prod-eu/checkout-api',
      'prod-us/catalog-api',
      'prod-us/checkout-api',
    ]);
    for (const h of hpas) {
      expect(at(h.object, 'apiVersion')).toBe('autoscaling/v2');
      expect(at(h.object, 'status', 'currentReplicas')).toBe(at(h.object, 'spec', 'minReplicas'));
      const util = at(h.object, 'status', 'currentMetrics', 0, 'resource', 'current', 'averageUtilization');
      if (util !== undefined) expect(Number(util)).toBeLessThan(35);
    }
    const points = flatPoints(transport.requests);
    const current = points.filter((p) => p.name === 'kube_horizontalpodautoscaler_status_current_replicas');
    const min = points.filter((p) => p.name === 'kube_horizontalpodautoscaler_spec_min_replicas');
    expect(current.length).toBeGreaterThan(100);
    expect(new Set(current.map((p) => p.value))).toEqual(new Set(min.map((p) => p.value)));
  }, 120_000);
});
