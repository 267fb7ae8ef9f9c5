/**
 * The demo as a new user meets it: `sleuth serve` with the simulated fleet. A healthy fleet
 * produces no anomaly for 30 simulated minutes; then each fault the simulator can inject
 * produces anomalies of the right kinds, on the faulty workload's own resources, within 60
 * simulated seconds of its start. The simulator runs 30x faster than the wall clock here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Anomaly, Incident } from '@sleuth/core';
import { eventually, getJson, startTestServer, type TestServer } from './support/server';

const SPEED = 30;
const MINUTE = 60_000;

interface Fault {
  id: string;
  kind: string;
  startMs: number;
  target: { cluster: string; namespace: string; workload: string };
}

/** Each fault, the workload it hits, and the detectors whose anomalies show it. */
const CASES = [
  {
    kind: 'crash_loop',
    target: { cluster: 'prod-eu', namespace: 'shop', workload: 'checkout-api' },
    detectors: ['k8s-state', 'k8s-events'],
    title: /CrashLoopBackOff|BackOff/,
    cause: 'crash-loop',
  },
  {
    kind: 'oom_killed',
    target: { cluster: 'prod-us', namespace: 'payments', workload: 'payments-api' },
    detectors: ['k8s-state', 'k8s-events', 'metrics'],
    title: /OOMKill|memory.*outside its range/,
    cause: 'oom-killed',
  },
  {
    kind: 'image_pull_error',
    target: { cluster: 'prod-eu', namespace: 'shop', workload: 'catalog-api' },
    detectors: ['k8s-state', 'k8s-events'],
    title: /ImagePull|ErrImagePull|Failed/,
    cause: 'image-pull-error',
  },
  {
    kind: 'dependency_down',
    target: { cluster: 'prod-us', namespace: 'data', workload: 'postgres' },
    detectors: ['k8s-state', 'k8s-events'],
    title: /[Uu]nhealthy|[Nn]ot ready|[Rr]eadiness/,
    cause: 'readiness-probe-failing',
  },
] as const;

let server: TestServer;

/**
 * The newest signal time detection has processed: at 30x speed the pipeline's real-time lag
 * (a second or two) is half a simulated minute, so latency is measured on the signals' clock.
 */
async function detectedUpTo(): Promise<number> {
  const { detection } = await getJson<{ detection: { signalClockMs: number | null } }>(
    server.url,
    '/api/v1/status',
  );
  return detection.signalClockMs ?? 0;
}

async function simulatedNow(): Promise<number> {
  const { stats } = await getJson<{ stats: { simulatedNowMs: number } }>(server.url, '/api/v1/simulator');
  return stats.simulatedNowMs;
}

async function anomalies(fromMs: number, toMs: number): Promise<Anomaly[]> {
  const { anomalies: list } = await getJson<{ anomalies: Anomaly[] }>(
    server.url,
    `/api/v1/anomalies?from=${fromMs}&to=${toMs}&limit=1000`,
  );
  return list;
}

async function waitForSimulated(ms: number): Promise<void> {
  while ((await simulatedNow()) < ms) await new Promise((r) => setTimeout(r, 250));
}

/** Whether an anomaly is about the workload or one of its pods (pod names start with it). */
function about(a: Anomaly, t: Fault['target']): boolean {
  const r = a.resource;
  return (
    r.cluster === t.cluster &&
    r.namespace === t.namespace &&
    (r.name === t.workload || r.name.startsWith(`${t.workload}-`))
  );
}

beforeAll(async () => {
  server = await startTestServer({
    'simulator.mode': 'on',
    'simulator.speed': SPEED,
    'simulator.tickSeconds': 5,
    'detect.tickSeconds': 0.2,
  });
});
afterAll(async () => {
  await server.dispose();
});

describe('detection in the demo', () => {
  let healthyEndMs = 0;

  it('reports nothing while the fleet is healthy, for 30 simulated minutes', async () => {
    const startMs = await simulatedNow();
    healthyEndMs = startMs + 30 * MINUTE;
    await waitForSimulated(healthyEndMs);
    const found = await anomalies(startMs - MINUTE, healthyEndMs);
    expect(found.map((a) => `${a.detector}: ${a.title}`)).toEqual([]);
    const { incidents } = await getJson<{ incidents: Incident[] }>(
      server.url,
      `/api/v1/incidents?from=${startMs - MINUTE}&to=${healthyEndMs}`,
    );
    expect(incidents.map((i) => i.title)).toEqual([]);
  }, 180_000);

  it('reports each simulator fault on the faulty workload within 60 simulated seconds, and names its cause', async () => {
    const faults: Fault[] = [];
    for (const c of CASES) {
      const res = await fetch(`${server.url}/api/v1/simulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: c.kind, target: c.target, durationSeconds: 600 }),
      });
      expect(res.status).toBe(201);
      faults.push((await res.json()) as Fault);
    }
    const firstSeen = new Map<string, { clockMs: number; anomaly: Anomaly }>();
    const lastStart = Math.max(...faults.map((f) => f.startMs));
    while (firstSeen.size < faults.length) {
      const clockMs = await detectedUpTo();
      const nowMs = await simulatedNow();
      // Stop once detection has processed well past every fault's first minute (or, if it is
      // stuck, after 20 simulated minutes).
      if (clockMs > lastStart + 3 * MINUTE || nowMs > lastStart + 20 * MINUTE) break;
      // Under load detection runs behind the simulator's clock: ask up to the simulator's now.
      const list = await anomalies(healthyEndMs, Math.max(nowMs, healthyEndMs) + MINUTE);
      faults.forEach((f, i) => {
        const c = CASES[i]!;
        if (firstSeen.has(f.id)) return;
        const hit = list.find(
          (a) =>
            (c.detectors as readonly string[]).includes(a.detector) &&
            about(a, f.target) &&
            c.title.test(a.title),
        );
        if (hit) firstSeen.set(f.id, { clockMs, anomaly: hit });
      });
      await new Promise((r) => setTimeout(r, 250));
    }
    const report = faults.map((f, i) => {
      const seen = firstSeen.get(f.id);
      return {
        fault: CASES[i]!.kind,
        seenAfterS: seen ? Math.round((seen.clockMs - f.startMs) / 1000) : undefined,
        anomaly: seen ? `${seen.anomaly.detector}: ${seen.anomaly.title}` : undefined,
      };
    });
    // Each fault's anomaly is in an open incident about the faulty workload (the correlator
    // writes it just after the anomaly).
    for (const [id, seen] of firstSeen) {
      const fault = faults.find((f) => f.id === id)!;
      const incident = await eventually(async () => {
        const { incidents } = await getJson<{ incidents: Incident[] }>(
          server.url,
          `/api/v1/incidents?status=open&from=${healthyEndMs}&to=${(await simulatedNow()) + MINUTE}`,
        );
        return incidents.find((i) => i.anomalyIds.includes(seen.anomaly.id));
      }, 10_000);
      expect(incident.resources.some((r) => about({ ...seen.anomaly, resource: r }, fault.target))).toBe(
        true,
      );
    }
    for (const r of report) {
      expect(typeof r.anomaly, JSON.stringify(report)).toBe('string');
      // Seen with detection's clock at most 60 s past the fault's start (the clock is the
      // newest signal processed, so this bounds detection from above), plus one poll (250 ms
      // real, 7.5 s simulated) of slack.
      expect(r.seenAfterS, JSON.stringify(report)).toBeLessThanOrEqual(68);
    }
  }, 180_000);
});
