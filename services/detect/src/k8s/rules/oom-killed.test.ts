import { describe, expect, it } from 'vitest';
import { K8sStateDetector } from '../state-detector';
import { T0, container, min, play, pod, running, sec, step, terminated, waiting } from '../testing/fixtures';

const oom = (startedMs: number, killedMs: number) => terminated('OOMKilled', 137, startedMs, killedMs);

/** A leaking container killed at its limit at +1 min and again at +3 min, then healthy. */
const leak = [
  step(T0, [pod({ containers: [container('api', running(T0))] })]),
  step(T0 + min(1), [
    pod({
      readySinceMs: T0 + min(1),
      containers: [container('api', waiting('CrashLoopBackOff'), { last: oom(T0, T0 + min(1)) })],
    }),
  ]),
  step(T0 + min(1) + sec(30), [
    pod({
      readySinceMs: T0 + min(1) + sec(30),
      containers: [
        container('api', running(T0 + min(1) + sec(15)), {
          ready: true,
          restartCount: 1,
          last: oom(T0, T0 + min(1)),
        }),
      ],
    }),
  ]),
  step(T0 + min(3), [
    pod({
      readySinceMs: T0 + min(3),
      containers: [
        container('api', waiting('CrashLoopBackOff'), {
          restartCount: 1,
          last: oom(T0 + min(1), T0 + min(3)),
        }),
      ],
    }),
  ]),
  step(T0 + min(3) + sec(30), [
    pod({
      readySinceMs: T0 + min(3) + sec(30),
      containers: [
        container('api', running(T0 + min(3) + sec(20)), {
          ready: true,
          restartCount: 2,
          last: oom(T0 + min(1), T0 + min(3)),
        }),
      ],
    }),
  ]),
];

describe('oom-killed rule', () => {
  it('reports repeated OOM kills of one container as one anomaly, and no crash loop besides', () => {
    const out = play(new K8sStateDetector(), leak, { untilMs: T0 + min(5) });
    expect(new Set(out.map((a) => a.id)).size).toBe(1);
    expect(out[0]?.title).toBe('OOMKilled: container api in pod shop/api-7f9 (restarts 0)');
    expect(out[0]?.onsetMs).toBe(T0 + min(1));
    expect(out[0]?.explanation).toContain('limit of 256Mi');
    expect(out[0]?.explanation).toContain('OOMKilled, exit code 137');
    expect(out[0]?.signal).toMatchObject({
      field: 'status.containerStatuses[name=api].lastState.terminated.reason',
    });
    expect(out.at(-1)?.title).toBe('OOMKilled: container api in pod shop/api-7f9 (restarts 2)');
    expect(out.every((a) => a.endMs === undefined)).toBe(true);
  });

  it('ends ten minutes after the last kill when the container stays up', () => {
    const out = play(new K8sStateDetector(), leak, { untilMs: T0 + min(20) });
    const ends = out.filter((a) => a.endMs !== undefined);
    expect(ends).toHaveLength(1);
    expect(ends[0]?.endMs).toBe(T0 + min(13));
  });

  it('ignores an OOM kill from hours ago still shown as the last state', () => {
    const old = pod({
      containers: [
        container('api', running(T0 - min(170)), {
          restartCount: 1,
          last: oom(T0 - min(200), T0 - min(180)),
        }),
      ],
    });
    expect(play(new K8sStateDetector(), [step(T0, [old])], { untilMs: T0 + min(5) })).toEqual([]);
  });
});
