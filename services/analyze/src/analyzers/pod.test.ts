import { describe, expect, it } from 'vitest';
import { MemoryContext } from './memory-context';
import { NOW, event, logLine, snap } from './testing/kube';
import { POD, healthy, owned, rs, run } from './testing/pod';

describe('pod analyzer', () => {
  it('finds nothing wrong with a running, ready pod', async () => {
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [healthy, rs],
      logs: [logLine(POD, 'api', 'listening on :8080')],
    });
    expect(await run(ctx)).toEqual([]);
  });

  it('ranks a pod waiting on an unbound claim below the claim that explains it', async () => {
    const pending = snap(POD, {
      metadata: owned,
      spec: { containers: [{ name: 'api' }] },
      status: {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }],
      },
    });
    const ev = event(
      POD,
      'FailedScheduling',
      '0/4 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/4 nodes are available.',
    );
    const [f] = await run(new MemoryContext({ nowMs: NOW, objects: [pending, rs], events: [ev] }));
    expect(f?.title).toContain('a volume it mounts is not bound');
    // The PVC analyzer's findings (0.75-0.9) come first.
    expect(f?.confidence).toBeLessThan(0.75);
  });
});
