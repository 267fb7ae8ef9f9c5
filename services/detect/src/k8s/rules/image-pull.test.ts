import { describe, expect, it } from 'vitest';
import { K8sStateDetector } from '../state-detector';
import { T0, at, batch, container, min, play, pod, running, sec, step, waiting } from '../testing/fixtures';

const image = 'shop/api:1.4.3-bad';
const pulling = (reason: string) =>
  pod({
    containers: [
      container('api', waiting(reason, `rpc error: code = NotFound desc = ${image}: not found`), { image }),
    ],
  });

describe('image-pull rule', () => {
  it('reports a pull that keeps failing after 30 s, as one anomaly across ErrImagePull and ImagePullBackOff', () => {
    const out = play(
      new K8sStateDetector(),
      [
        step(T0 + sec(2), [pulling('ErrImagePull')]),
        step(T0 + sec(4), [pulling('ImagePullBackOff')]),
        step(T0 + sec(15), [pulling('ErrImagePull')]),
        step(T0 + sec(17), [pulling('ImagePullBackOff')]),
      ],
      { untilMs: T0 + min(2) },
    );
    expect(new Set(out.map((a) => a.id)).size).toBe(1);
    expect(out[0]?.title).toBe(`ImagePullBackOff: container api in pod shop/api-7f9 (image ${image})`);
    expect(out[0]?.onsetMs).toBe(T0);
    expect(out[0]?.lastSeenMs).toBe(T0 + sec(32));
    expect(out[0]?.explanation).toContain('not found');
  });

  it('ends when the pod is deleted by the corrected rollout', () => {
    const d = new K8sStateDetector();
    const opened = play(d, [step(T0 + sec(2), [pulling('ErrImagePull')])], { untilMs: T0 + min(1) });
    const ended = d.observe(batch([at(pulling('ImagePullBackOff'), T0 + min(2), true)]));
    expect(ended).toEqual([expect.objectContaining({ id: opened[0]?.id, endMs: T0 + min(2) })]);
  });

  it('reports nothing for a pull that fails once and then succeeds', () => {
    const ok = pod({ containers: [container('api', running(T0 + sec(12)), { image })] });
    const out = play(
      new K8sStateDetector(),
      [step(T0 + sec(2), [pulling('ErrImagePull')]), step(T0 + sec(12), [ok])],
      {
        untilMs: T0 + min(5),
      },
    );
    expect(out).toEqual([]);
  });
});
