import type { ObjectSnapshot } from '@sleuth/core';
import { describe, expect, it } from 'vitest';
import { K8sStateDetector } from './state-detector';
import {
  T0,
  at,
  batch,
  container,
  deployment,
  event,
  hpa,
  job,
  min,
  node,
  play,
  pod,
  pvc,
  rng,
  sec,
  step,
  terminated,
  waiting,
  running,
  untyped,
  type Kube,
} from './testing/fixtures';

const crashing = (name: string) =>
  pod({
    name,
    containers: [
      container('api', waiting('CrashLoopBackOff'), {
        restartCount: 2,
        last: terminated('Error', 1, T0 + sec(30), T0 + sec(31)),
      }),
    ],
  });
const notReady = (sinceMs: number) =>
  node('node-b', {
    Ready: { status: 'False', reason: 'KubeletNotReady', message: 'PLEG is not healthy', sinceMs },
  });

/** A seeded healthy half hour: pods start (some briefly Pending, probes failing once while they warm up, a clean exit-0 restart), a normal rollout, a PVC binding, a Job completing. */
function healthyFleet(seed: number) {
  const r = rng(seed);
  const steps = [];
  for (let i = 0; i < 40; i++) {
    const name = `web-${i}`;
    const created = T0 + Math.floor(r() * min(20));
    const scheduled = created + Math.floor(r() * sec(5));
    const started = scheduled + sec(1) + Math.floor(r() * sec(3));
    const ready = started + sec(2) + Math.floor(r() * sec(25));
    steps.push(
      step(created, [
        pod({
          name,
          phase: 'Pending',
          containers: [],
          scheduled: { status: 'False', reason: 'Unschedulable', sinceMs: created },
        }),
      ]),
    );
    steps.push(
      step(scheduled, [
        pod({ name, readySinceMs: created, containers: [container('web', waiting('ContainerCreating'))] }),
      ]),
    );
    steps.push(
      step(started, [
        pod({
          name,
          readySinceMs: created,
          containers: [container('web', running(started), { ready: false })],
        }),
      ]),
    );
    if (r() < 0.5) {
      const probe = pod({ name });
      steps.push(
        step(
          started + sec(1),
          [],
          [event(probe, 'Unhealthy', { message: 'Readiness probe failed: 503', lastMs: started + sec(1) })],
        ),
      );
    }
    steps.push(
      step(ready, [pod({ name, readySinceMs: ready, containers: [container('web', running(started))] })]),
    );
    if (r() < 0.3) {
      const exit = ready + min(3);
      const last = terminated('Completed', 0, started, exit);
      steps.push(
        step(exit, [
          pod({
            name,
            readySinceMs: exit,
            containers: [container('web', waiting('ContainerCreating'), { ready: false, last })],
          }),
        ]),
      );
      steps.push(
        step(exit + sec(3), [
          pod({
            name,
            readySinceMs: exit + sec(3),
            containers: [container('web', running(exit + sec(2)), { restartCount: 1, last })],
          }),
        ]),
      );
    }
  }
  const rolling = {
    status: 'True',
    reason: 'ReplicaSetUpdated',
    sinceMs: T0 + min(5),
    updatedMs: T0 + min(5),
  };
  steps.push(
    step(T0, [
      node('node-a'),
      node('node-b'),
      deployment(),
      hpa({ current: 4 }),
      pvc({ phase: 'Pending', createdMs: T0 }),
      job({ active: 1 }),
    ]),
    step(T0 + sec(20), [pvc({ phase: 'Bound' })]),
    step(T0 + min(5), [deployment({ generation: 2, updated: 1, available: 4, progressing: rolling })]),
    step(T0 + min(6), [
      deployment({
        generation: 2,
        updated: 3,
        available: 3,
        progressing: { ...rolling, updatedMs: T0 + min(6) },
      }),
    ]),
    step(T0 + min(7), [
      deployment({
        generation: 2,
        progressing: {
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          sinceMs: T0 + min(5),
          updatedMs: T0 + min(7),
        },
      }),
    ]),
    step(T0 + min(9), [
      job({ active: 0, succeeded: 1, conditions: { Complete: { status: 'True', sinceMs: T0 + min(9) } } }),
    ]),
  );
  return steps;
}

describe('K8sStateDetector', () => {
  it('reports nothing over a healthy half hour, and holds no state after it', () => {
    for (const seed of [1, 2, 3]) {
      const d = new K8sStateDetector();
      expect(play(d, healthyFleet(seed), { untilMs: T0 + min(30) })).toEqual([]);
      expect(d.stats()).toMatchObject({ tracked: 0, skipped: 0, dropped: 0, warnings: 0 });
    }
  });

  it('skips and counts unreadable objects without stopping the rest of the batch', () => {
    const badPod: Kube = {
      ...pod({ name: 'bad' }),
      object: { kind: 'Pod', metadata: { name: 'bad' }, status: { containerStatuses: 'oops' } },
    };
    const badNode: Kube = {
      ...node('node-x'),
      object: { metadata: { name: 'node-x' }, status: { conditions: [{ type: 3 }] } },
    };
    const noMetadata: Kube = { ...pod({ name: 'anon' }), object: { status: {} } };
    const snapshots: unknown[] = [
      at(badPod, T0),
      at(badNode, T0),
      at(noMetadata, T0),
      null,
      at(crashing('api-1'), T0 + sec(40)),
    ];
    const d = new K8sStateDetector();
    const out = d.observe(batch(untyped<ObjectSnapshot>(snapshots)));
    expect(out.map((a) => a.title)).toEqual([
      'CrashLoopBackOff: container api in pod shop/api-1 (restarts 2)',
    ]);
    expect(d.stats().skipped).toBe(4);
  });

  it('keeps an anomaly open when a later snapshot of its object is unreadable', () => {
    const d = new K8sStateDetector();
    d.observe(batch([at(notReady(T0), T0)]));
    const garbled: Kube = {
      ...node('node-b'),
      object: { metadata: { name: 'node-b' }, status: { conditions: 'x' } },
    };
    expect(d.observe(batch([at(garbled, T0 + sec(10))]))).toEqual([]);
    expect(d.stats()).toMatchObject({ tracked: 1, skipped: 1 });
  });

  it('tracks at most maxTracked objects and counts the ones it drops', () => {
    const d = new K8sStateDetector({ maxTracked: 1 });
    const out = d.observe(batch([at(crashing('a'), T0 + sec(40)), at(crashing('b'), T0 + sec(40))]));
    expect(out).toHaveLength(1);
    expect(d.stats()).toMatchObject({ tracked: 1, dropped: 1 });
  });

  it('ends the anomalies of an object replaced by a new one of the same name (new uid)', () => {
    const d = new K8sStateDetector();
    const [opened] = d.observe(batch([at(crashing('postgres-0'), T0 + sec(40))]));
    const fresh = pod({ name: 'postgres-0' });
    fresh.ref = { ...fresh.ref, uid: 'uid-new' };
    const out = d.observe(batch([at(fresh, T0 + min(1))]));
    expect(out).toEqual([expect.objectContaining({ id: opened?.id, endMs: T0 + min(1) })]);
    expect(d.stats().tracked).toBe(0);
  });

  it('ignores a snapshot older than the one it holds', () => {
    const d = new K8sStateDetector();
    d.observe(batch([at(notReady(T0), T0 + sec(10))]));
    expect(d.observe(batch([at(node('node-b'), T0 + sec(5))]))).toEqual([]);
    expect(d.stats().tracked).toBe(1);
  });

  it('never reopens an ended anomaly under its old id when the same state is seen again', () => {
    const d = new K8sStateDetector();
    const [first] = d.observe(batch([at(notReady(T0), T0 + sec(1))]));
    expect(d.observe(batch([at(node('node-b'), T0 + min(1))]))).toEqual([]);
    const [end] = d.tick(T0 + min(3));
    expect(end).toMatchObject({ id: first?.id, endMs: T0 + min(1) });
    const [again] = d.observe(batch([at(notReady(T0), T0 + min(4))]));
    expect(again?.id).not.toBe(first?.id);
    expect(again?.onsetMs).toBe(T0 + min(4));
  });

  it('re-sends an unchanged open anomaly once a minute on ticks, with a newer lastSeenMs', () => {
    const out = play(new K8sStateDetector(), [step(T0, [notReady(T0)])], { untilMs: T0 + min(5) });
    expect(out.map((a) => a.lastSeenMs)).toEqual([0, 1, 2, 3, 4, 5].map((m) => T0 + min(m)));
    expect(new Set(out.map((a) => a.id)).size).toBe(1);
  });

  it('keeps no state for kinds without rules', () => {
    const cm: Kube = {
      ...pod({ name: 'cfg' }),
      ref: { cluster: 'prod', namespace: 'shop', kind: 'ConfigMap', name: 'cfg' },
    };
    const d = new K8sStateDetector();
    expect(d.observe(batch([at(cm, T0)]))).toEqual([]);
    expect(d.stats()).toMatchObject({ tracked: 0, skipped: 0 });
  });
});
