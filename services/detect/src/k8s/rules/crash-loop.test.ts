import { describe, expect, it } from 'vitest';
import { K8sStateDetector } from '../state-detector';
import {
  T0,
  at,
  batch,
  container,
  latest,
  min,
  play,
  pod,
  running,
  sec,
  terminated,
  waiting,
} from '../testing/fixtures';

const error = (startedMs: number, finishedMs: number) => terminated('Error', 1, startedMs, finishedMs);

/** A pod whose container never becomes ready: it exits 1 moments after each start (the crash_loop fault). */
function crashLoopTimeline() {
  const podAt = (c: Record<string, unknown>) => pod({ containers: [c], readySinceMs: T0 });
  return [
    { atMs: T0 + sec(1), pod: podAt(container('api', running(T0 + sec(1)))) },
    {
      atMs: T0 + sec(2),
      pod: podAt(
        container('api', waiting('CrashLoopBackOff', 'back-off 10s'), {
          last: error(T0 + sec(1), T0 + sec(2)),
        }),
      ),
    },
    {
      atMs: T0 + sec(12),
      pod: podAt(
        container('api', running(T0 + sec(12)), {
          ready: false,
          restartCount: 1,
          last: error(T0 + sec(1), T0 + sec(2)),
        }),
      ),
    },
    {
      atMs: T0 + sec(13),
      pod: podAt(
        container('api', waiting('CrashLoopBackOff', 'back-off 20s'), {
          restartCount: 1,
          last: error(T0 + sec(12), T0 + sec(13)),
        }),
      ),
    },
    {
      atMs: T0 + sec(34),
      pod: podAt(
        container('api', waiting('CrashLoopBackOff', 'back-off 40s'), {
          restartCount: 2,
          last: error(T0 + sec(33), T0 + sec(34)),
        }),
      ),
    },
  ].map((s) => ({ atMs: s.atMs, batch: batch([at(s.pod, s.atMs)]) }));
}

describe('crash-loop rule', () => {
  it('reports a container failing twice as one CrashLoopBackOff anomaly that updates as restarts rise', () => {
    const out = play(new K8sStateDetector(), crashLoopTimeline());
    expect(new Set(out.map((a) => a.id)).size).toBe(1);
    const [first] = out;
    expect(first?.title).toBe('CrashLoopBackOff: container api in pod shop/api-7f9 (restarts 1)');
    expect(first?.onsetMs).toBe(T0);
    expect(first?.lastSeenMs).toBe(T0 + sec(13));
    expect(first?.score).toBe(0.8);
    expect(first?.signal).toMatchObject({
      kind: 'object',
      field: 'status.containerStatuses[name=api].state.waiting.reason',
      timeMs: T0 + sec(13),
    });
    expect(first?.explanation).toContain('Error, exit code 1');
    expect(first?.explanation).toContain('back-off 20s');
    expect(out.at(-1)?.title).toBe('CrashLoopBackOff: container api in pod shop/api-7f9 (restarts 2)');
    expect(out.every((a) => a.endMs === undefined)).toBe(true);
  });

  it('ends once when the pod is deleted, at the deletion time', () => {
    const d = new K8sStateDetector();
    const opened = play(d, crashLoopTimeline());
    const gone = pod({ containers: [container('api', waiting('CrashLoopBackOff'))] });
    const ended = d.observe(batch([at(gone, T0 + min(2), true)]));
    expect(ended).toHaveLength(1);
    expect(ended[0]?.id).toBe(opened[0]?.id);
    expect(ended[0]?.endMs).toBe(T0 + min(2));
    expect(d.tick(T0 + min(20))).toEqual([]);
    expect(d.stats().tracked).toBe(0);
  });

  it('gives the same id after a restart of the detector that sees a later state of the same loop', () => {
    const first = play(new K8sStateDetector(), crashLoopTimeline())[0];
    const later = pod({
      readySinceMs: T0,
      containers: [
        container('api', waiting('CrashLoopBackOff', 'back-off 2m40s'), {
          restartCount: 5,
          last: error(T0 + min(4), T0 + min(4) + sec(1)),
        }),
      ],
    });
    const again = new K8sStateDetector().observe(batch([at(later, T0 + min(5))]));
    expect(again).toHaveLength(1);
    expect(again[0]?.id).toBe(first?.id);
    expect(again[0]?.title).toContain('(restarts 5)');
  });

  it('reports an init container in CrashLoopBackOff under its own field', () => {
    const p = pod({
      phase: 'Pending',
      initContainers: [
        container('migrate', waiting('CrashLoopBackOff'), {
          restartCount: 3,
          last: error(T0 + sec(30), T0 + sec(31)),
        }),
      ],
      containers: [container('api', waiting('PodInitializing'))],
    });
    const [a] = new K8sStateDetector().observe(batch([at(p, T0 + sec(40))]));
    expect(a?.title).toBe('CrashLoopBackOff: init container migrate in pod shop/api-7f9 (restarts 3)');
    expect(a?.signal).toMatchObject({
      field: 'status.initContainerStatuses[name=migrate].state.waiting.reason',
    });
  });

  it('keeps one anomaly while the container is ready for a while between crashes, and ends it 5 min after it stays ready', () => {
    const d = new K8sStateDetector();
    const loop = play(d, crashLoopTimeline());
    const runningPod = (startMs: number, ready: boolean, restarts: number, lastFailMs: number) =>
      pod({
        readySinceMs: ready ? startMs + sec(10) : T0,
        containers: [
          container('api', running(startMs), {
            ready,
            restartCount: restarts,
            last: error(lastFailMs - sec(1), lastFailMs),
          }),
        ],
      });
    const crashed = pod({
      readySinceMs: T0 + min(3),
      containers: [
        container('api', waiting('CrashLoopBackOff'), {
          restartCount: 3,
          last: error(T0 + min(1), T0 + min(3)),
        }),
      ],
    });
    const steps = [
      { atMs: T0 + min(1), pod: runningPod(T0 + min(1), false, 3, T0 + sec(41)) },
      { atMs: T0 + min(1) + sec(10), pod: runningPod(T0 + min(1), true, 3, T0 + sec(41)) },
      { atMs: T0 + min(3), pod: crashed },
      { atMs: T0 + min(3) + sec(20), pod: runningPod(T0 + min(3) + sec(10), true, 4, T0 + min(3)) },
    ];
    const out = play(
      d,
      steps.map((s) => ({ atMs: s.atMs, batch: batch([at(s.pod, s.atMs)]) })),
      { untilMs: T0 + min(15) },
    );
    expect(out[0]?.title).toBe('Crashing: container api in pod shop/api-7f9 (restarts 3, last exit 1)');
    expect(new Set([...loop, ...out].map((a) => a.id)).size).toBe(1);
    const ends = out.filter((a) => a.endMs !== undefined);
    expect(ends).toHaveLength(1);
    expect(ends[0]?.endMs).toBe(T0 + min(3) + sec(20));
    expect(d.stats().tracked).toBe(0);
  });

  it('reports nothing for a container that restarted once after a clean exit 0', () => {
    const p = pod({
      containers: [
        container('api', running(T0 + sec(20)), {
          restartCount: 1,
          last: terminated('Completed', 0, T0, T0 + sec(19)),
        }),
      ],
    });
    const out = play(new K8sStateDetector(), [{ atMs: T0 + sec(20), batch: batch([at(p, T0 + sec(20))]) }], {
      untilMs: T0 + min(15),
    });
    expect(out).toEqual([]);
  });

  it('reports nothing for a single crash whose back-off ends in a healthy restart', () => {
    const timeline = crashLoopTimeline().slice(0, 3);
    const healthy = pod({
      containers: [
        container('api', running(T0 + sec(12)), {
          ready: true,
          restartCount: 1,
          last: error(T0 + sec(1), T0 + sec(2)),
        }),
      ],
    });
    timeline.push({ atMs: T0 + sec(20), batch: batch([at(healthy, T0 + sec(20))]) });
    expect(latest(play(new K8sStateDetector(), timeline, { untilMs: T0 + min(15) })).size).toBe(0);
  });
});
