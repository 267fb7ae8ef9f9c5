import { describe, expect, it } from 'vitest';
import { K8sStateDetector } from '../state-detector';
import { T0, container, min, play, pod, running, sec, step, waiting } from '../testing/fixtures';

describe('container-config-error rule', () => {
  it('reports a container that cannot be created for lack of a ConfigMap, and ends when it starts', () => {
    const broken = pod({
      containers: [
        container('api', waiting('CreateContainerConfigError', 'configmap "api-config" not found')),
      ],
    });
    const fixed = pod({ readySinceMs: T0 + min(2), containers: [container('api', running(T0 + min(2)))] });
    const out = play(new K8sStateDetector(), [step(T0 + sec(1), [broken]), step(T0 + min(2), [fixed])], {
      untilMs: T0 + min(3),
    });
    expect(new Set(out.map((a) => a.id)).size).toBe(1);
    expect(out[0]?.title).toBe('CreateContainerConfigError: container api in pod shop/api-7f9');
    expect(out[0]?.explanation).toContain('configmap "api-config" not found');
    expect(out[0]?.lastSeenMs).toBe(T0 + sec(31));
    expect(out.at(-1)).toMatchObject({ id: out[0]?.id, endMs: T0 + min(2) });
  });

  it('reports nothing when the ConfigMap appears within the grace', () => {
    const broken = pod({ containers: [container('api', waiting('CreateContainerConfigError'))] });
    const fixed = pod({ containers: [container('api', running(T0 + sec(10)))] });
    const out = play(new K8sStateDetector(), [step(T0 + sec(1), [broken]), step(T0 + sec(10), [fixed])], {
      untilMs: T0 + min(3),
    });
    expect(out).toEqual([]);
  });
});
