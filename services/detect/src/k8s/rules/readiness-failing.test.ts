import { describe, expect, it } from 'vitest';
import { K8sStateDetector } from '../state-detector';
import { T0, container, event, min, play, pod, running, sec, step, terminated } from '../testing/fixtures';

const probeMessage = 'Readiness probe failed: 127.0.0.1:5432 - rejecting connections';
const serving = pod({
  readySinceMs: T0 - min(60),
  containers: [container('postgres', running(T0 - min(60)))],
});
const refusing = pod({
  readySinceMs: T0 + sec(100),
  containers: [container('postgres', running(T0 - min(60)), { ready: false })],
});
const unhealthy = (atMs: number, count: number) =>
  event(serving, 'Unhealthy', { message: probeMessage, firstMs: T0 + sec(70), lastMs: atMs, count });

describe('readiness-failing rule', () => {
  it('reports a running pod failing its readiness probe a minute after it turned unready, and ends on recovery', () => {
    const steps = [step(T0, [serving])];
    for (let i = 0; i < 20; i++)
      steps.push(step(T0 + sec(70 + i * 10), [], [unhealthy(T0 + sec(70 + i * 10), i + 1)]));
    steps.push(step(T0 + sec(100), [refusing]));
    steps.push(
      step(T0 + min(5), [
        pod({ readySinceMs: T0 + min(5), containers: [container('postgres', running(T0 - min(60)))] }),
      ]),
    );
    const out = play(new K8sStateDetector(), steps, { untilMs: T0 + min(8) });
    expect(out[0]?.title).toBe('Not ready: pod shop/api-7f9 (containers running, probe failing: postgres)');
    expect(out[0]?.onsetMs).toBe(T0 + sec(100));
    expect(out[0]?.lastSeenMs).toBe(T0 + sec(160));
    expect(out[0]?.explanation).toContain(probeMessage);
    expect(out[0]?.signal).toMatchObject({ field: 'status.conditions[type=Ready].status' });
    expect(out.at(-1)).toMatchObject({ id: out[0]?.id, endMs: T0 + min(5), lastSeenMs: T0 + sec(290) });
    // The rising event count changes only the explanation: it is sent with the once-a-minute refresh.
    expect(out.map((a) => a.lastSeenMs)).toEqual([160, 220, 280, 290].map((s) => T0 + sec(s)));
    expect(out.at(-2)?.explanation).toContain('Unhealthy events: 20');
  });

  it('reports an unready pod without probe events only after three minutes', () => {
    const out = play(new K8sStateDetector(), [step(T0, [serving]), step(T0 + sec(100), [refusing])], {
      untilMs: T0 + min(5),
    });
    expect(out[0]?.lastSeenMs).toBe(T0 + sec(280));
    expect(out[0]?.title).toContain('not ready: postgres');
    expect(out[0]?.explanation).toContain('No Unhealthy event seen');
  });

  it('does not count an Unhealthy event older than five minutes as a failing probe', () => {
    const old = unhealthy(T0 - min(10), 3);
    const out = play(
      new K8sStateDetector(),
      [step(T0 - min(10), [serving], [old]), step(T0 + sec(100), [refusing])],
      {
        untilMs: T0 + min(5),
      },
    );
    expect(out[0]?.lastSeenMs).toBe(T0 + sec(280));
  });

  it('leaves a container running again after recent failures to the crash-loop rule', () => {
    const restarted = pod({
      readySinceMs: T0,
      containers: [
        container('postgres', running(T0 + min(4)), {
          ready: false,
          restartCount: 1,
          last: terminated('Error', 1, T0 + min(3), T0 + min(4)),
        }),
      ],
    });
    const out = play(new K8sStateDetector(), [step(T0 + min(4), [restarted], [unhealthy(T0 + min(4), 1)])], {
      untilMs: T0 + min(6),
    });
    expect(out).toEqual([]);
  });

  it('reports nothing for a new pod whose probe fails once during startup', () => {
    const starting = pod({
      readySinceMs: T0,
      containers: [container('api', running(T0 + sec(2)), { ready: false })],
    });
    const ready = pod({ readySinceMs: T0 + sec(20), containers: [container('api', running(T0 + sec(2)))] });
    const early = event(starting, 'Unhealthy', {
      message: 'Readiness probe failed: connection refused',
      lastMs: T0 + sec(8),
    });
    const out = play(
      new K8sStateDetector(),
      [step(T0 + sec(2), [starting]), step(T0 + sec(8), [], [early]), step(T0 + sec(20), [ready])],
      { untilMs: T0 + min(5) },
    );
    expect(out).toEqual([]);
  });
});
