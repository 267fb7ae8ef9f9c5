import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyBatch, type MetricPoint } from '@sleuth/core';
import { SqliteStore } from '@sleuth/store';
import { TopologySource } from '../topology/source';
import { configReferenceAnalyzer } from './config-reference';
import { MemoryContext } from './memory-context';
import { podAnalyzer } from './pod';
import { StoreContext } from './store-context';
import { NOW, event, logLine, ref, snap } from './testing/kube';

const POD = ref('Pod', 'api-1');
const pod = snap(POD, {
  spec: {
    containers: [
      {
        name: 'api',
        resources: { limits: { memory: '128Mi' } },
        envFrom: [{ configMapRef: { name: 'api-config' } }],
      },
      { name: 'worker' },
    ],
  },
  status: {
    containerStatuses: [
      {
        name: 'api',
        restartCount: 4,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: '2026-03-02T11:59:00Z' } },
      },
      {
        name: 'worker',
        restartCount: 5,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error' } },
      },
    ],
  },
});
const logs = [
  logLine(POD, 'worker', 'panic: queue "jobs" does not exist', {
    previous: true,
    severity: 'error',
    agoMs: 90_000,
  }),
  logLine(POD, 'worker', 'worker started', { agoMs: 10_000 }),
];
const memory: MetricPoint[] = [3, 2, 1].map((m) => ({
  name: 'container_memory_working_set_bytes',
  labels: { container: 'api' },
  source: { cluster: POD.cluster, namespace: 'shop', pod: POD.name, container: 'api' },
  type: 'gauge',
  timeMs: NOW - m * 60_000,
  value: (100 + m * 9) * 2 ** 20,
}));
const events = [event(POD, 'BackOff', 'Back-off restarting failed container worker')];

let dir: string;
let store: SqliteStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sleuth-analyzers-'));
  store = new SqliteStore({ path: join(dir, 'sleuth.db'), synchronous: 'normal' });
  await store.start();
});
afterEach(async () => {
  await store.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Findings without the ids the store assigns, for comparing two contexts over the same data. */
function shape(findings: unknown): unknown {
  const parsed: unknown = JSON.parse(JSON.stringify(findings).replace(/"ids":\[[^\]]*\]/g, '"ids":[]'));
  return parsed;
}

describe('StoreContext', () => {
  it('gives the analyzers the same answers as the in-memory context over the same data', async () => {
    await store.writeBatch({
      ...emptyBatch(),
      objects: [pod],
      logs: logs.map(({ id: _id, ...l }) => l),
      metrics: memory,
      events: events.map(({ id: _id, ...e }) => e),
    });
    const real = new StoreContext(store, new TopologySource(store), NOW);
    const fake = new MemoryContext({
      nowMs: NOW,
      objects: [pod],
      logs,
      events,
      series: [
        {
          name: memory[0]?.name ?? '',
          labels: { container: 'api' },
          cluster: POD.cluster,
          namespace: 'shop',
          pod: POD.name,
          points: memory.map((p) => [p.timeMs, p.value]),
        },
      ],
    });
    const fromStore = await podAnalyzer.analyze(POD, real);
    expect(fromStore.map((f) => f.failureMode)).toEqual(['oom-killed', 'crash-loop']);
    expect(fromStore[1]?.explanation).toContain('panic: queue "jobs" does not exist');
    const cited = fromStore[1]?.evidence.find((e) => e.signal.kind === 'log');
    const ids = cited?.signal.kind === 'log' ? cited.signal.ids : [];
    expect((await store.getLogs(ids)).map((l) => l.body)).toEqual(['panic: queue "jobs" does not exist']);
    expect(shape(fromStore)).toEqual(shape(await podAnalyzer.analyze(POD, fake)));

    const cm = ref('ConfigMap', 'api-config');
    const [missing] = await configReferenceAnalyzer.analyze(cm, real);
    expect(missing?.failureMode).toBe('missing-configmap');
  });
});
