/**
 * Detection end to end: metric points sent over OTLP are stored, run through the detectors, and
 * the anomaly they cause is served at /api/v1/anomalies with its evidence; a healthy series in
 * the same requests causes none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Anomaly } from '@sleuth/core';
import { seededRandom } from '@sleuth/core';
import { metricsRequest } from '@sleuth/pipeline';
import { eventually, getJson, startTestServer, type TestServer } from './support/server';

const STEP_MS = 15_000;
const START_MS = Date.now() - 2000 * STEP_MS;

/** One OTLP gauge data point per pod at step `i`; pod `checkout-2` leaks 20 MB a step from step 1300. */
function request(i: number, r: () => number) {
  const pods = ['checkout-1', 'checkout-2'];
  return pods.map((pod) => {
    const base = 300e6 + 30e6 * Math.sin((2 * Math.PI * i) / 240) + (r() - 0.5) * 10e6;
    const value = pod === 'checkout-2' && i >= 1300 ? base + (i - 1300) * 20e6 : base;
    return metricsRequest(
      {
        'k8s.cluster.name': 'prod-eu',
        'k8s.namespace.name': 'shop',
        'k8s.pod.name': pod,
        'k8s.container.name': 'checkout',
      },
      [
        {
          name: 'container.memory.working_set',
          unit: 'By',
          gauge: {
            dataPoints: [{ timeUnixNano: `${BigInt(START_MS + i * STEP_MS) * 1_000_000n}`, asDouble: value }],
          },
        },
      ],
    );
  });
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ 'detect.tickSeconds': 0.2 });
});
afterAll(async () => {
  await server.dispose();
});

describe('detection in the server', () => {
  it('serves the leaking pod as an anomaly with its series as evidence, and nothing for the healthy pod', async () => {
    const r = seededRandom(21);
    for (let i = 0; i < 1500; i++) {
      for (const body of request(i, r)) {
        const res = await fetch(`${server.url}/v1/metrics`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(res.status).toBe(200);
      }
    }
    const from = START_MS - 60_000;
    const found = await eventually(async () => {
      const { anomalies } = await getJson<{ anomalies: Anomaly[] }>(
        server.url,
        `/api/v1/anomalies?detector=metrics&from=${from}&to=${Date.now() + 60_000}`,
      );
      return anomalies.length > 0 ? anomalies : undefined;
    });
    expect(found.map((a) => a.resource.name)).toEqual(['checkout-2']);
    const [leak] = found;
    expect(leak!.resource).toMatchObject({ cluster: 'prod-eu', namespace: 'shop', kind: 'Pod' });
    expect(leak!.onsetMs).toBeGreaterThanOrEqual(START_MS + 1300 * STEP_MS);
    expect(leak!.signal).toMatchObject({ kind: 'series', labels: { pod: 'checkout-2' } });
    expect(leak!.title).toMatch(/outside its range on Pod shop\/checkout-2/);
    // The evidence resolves: the series window it names has the points.
    const sig = leak!.signal as { name: string; fromMs: number; toMs: number };
    const series = await getJson<{ series: { points: unknown[] }[] }>(
      server.url,
      `/api/v1/series/query?name=${encodeURIComponent(sig.name)}&pod=checkout-2&from=${sig.fromMs}&to=${sig.toMs}`,
    );
    expect(series.series[0]!.points.length).toBeGreaterThan(100);
  });
});
