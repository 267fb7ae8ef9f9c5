import { encodeOtlpRequest, ingestOtlp } from '@sleuth/pipeline';
import { describe, expect, it } from 'vitest';
import { Simulator } from './simulator';
import { START_MS } from './testing/scenario';
import { MemoryTransport } from './transport/memory-transport';

/**
 * The contract with Sleuth's receivers: everything the simulator sends decodes without a single
 * rejected record, as OTLP/JSON and as OTLP protobuf, and Kubernetes events and objects are
 * recognised as such.
 */
describe('simulator output through the ingest pipeline', () => {
  it('is accepted whole, as JSON and as protobuf', async () => {
    const transport = new MemoryTransport();
    const sim = new Simulator({ seed: 12, startMs: START_MS, transport });
    await sim.step(10_000);
    sim.injectFault({
      kind: 'oom_killed',
      target: { cluster: 'prod-eu', namespace: 'shop', workload: 'checkout-api' },
      durationSeconds: 120,
    });
    sim.injectFault({
      kind: 'dependency_down',
      target: { cluster: 'prod-us', namespace: 'data', workload: 'postgres' },
      durationSeconds: 120,
    });
    await sim.step(120_000);
    const totals = { logs: 0, metrics: 0, spans: 0, events: 0, objects: 0 };
    for (const r of transport.requests) {
      for (const encoding of ['json', 'protobuf'] as const) {
        const body =
          encoding === 'json' ? new TextEncoder().encode(r.body) : encodeOtlpRequest(r.signal, r.request);
        const result = ingestOtlp(r.signal, encoding, body, {
          defaultCluster: 'default',
          redact: true,
          receivedMs: START_MS + 200_000,
        });
        expect(result.rejectionReasons).toEqual([]);
        if (encoding === 'json') {
          totals.logs += result.batch.logs.length;
          totals.metrics += result.batch.metrics.length;
          totals.spans += result.batch.spans.length;
          totals.events += result.batch.events.length;
          totals.objects += result.batch.objects.length;
        }
      }
    }
    expect(totals.logs).toBeGreaterThan(10_000);
    expect(totals.metrics).toBeGreaterThan(10_000);
    expect(totals.spans).toBeGreaterThan(1_000);
    expect(totals.events).toBeGreaterThan(10);
    expect(totals.objects).toBeGreaterThan(100);
  });
});
