import { describe, expect, it } from 'vitest';
import { MemoryContext } from './memory-context';
import { NOW, event, ref, snap } from './testing/kube';
import { POD, owned, rs, run } from './testing/pod';

describe('pod analyzer: pods that cannot be scheduled', () => {
  it("quotes the scheduler for a pod it cannot place, with the pod's requests", async () => {
    const pending = snap(POD, {
      metadata: owned,
      spec: { containers: [{ name: 'api', resources: { requests: { cpu: '4', memory: '16Gi' } } }] },
      status: {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }],
      },
    });
    const ev = event(
      POD,
      'FailedScheduling',
      '0/5 nodes are available: 5 Insufficient memory. preemption: 0/5 nodes are available.',
    );
    const [f] = await run(new MemoryContext({ nowMs: NOW, objects: [pending, rs], events: [ev] }));
    expect(f?.failureMode).toBe('unschedulable');
    expect(f?.title).toBe(
      'Pod api-7d9f-abcde cannot be scheduled: no node has enough free capacity for its requests',
    );
    expect(f?.explanation).toContain('api: cpu 4, memory 16Gi');
  });

  it('proposes setting back a request no node can hold to what the previous revision ran with', async () => {
    const requests = (cpu: string) => ({ resources: { requests: { cpu, memory: '512Mi' } } });
    const pending = snap(POD, {
      metadata: { ownerReferences: [{ kind: 'ReplicaSet', name: 'api-7d9f', controller: true }] },
      spec: { containers: [{ name: 'api', image: 'api:2', ...requests('8') }] },
      status: {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }],
      },
    });
    const revision = (name: string, n: number, cpu: string, available: number) =>
      snap(ref('ReplicaSet', name), {
        metadata: {
          annotations: { 'deployment.kubernetes.io/revision': String(n) },
          ownerReferences: [{ kind: 'Deployment', name: 'api', controller: true }],
        },
        spec: { template: { spec: { containers: [{ name: 'api', image: 'api:2', ...requests(cpu) }] } } },
        status: { availableReplicas: available },
      });
    const node = (name: string, cpu: string) =>
      snap(ref('Node', name, null), { status: { allocatable: { cpu, memory: '15Gi' } } });
    const deployment = snap(ref('Deployment', 'api'), {});
    const analyze = async (
      message: string,
      nodes = [node('node-a', '3920m'), node('node-b', '4')],
      previous = 3,
    ) => {
      const objects = [
        pending,
        deployment,
        revision('api-7d9f', 4, '8', 0),
        revision('api-5b8c', 3, '800m', previous),
        ...nodes,
      ];
      const ev = event(POD, 'FailedScheduling', message);
      const [f] = await run(new MemoryContext({ nowMs: NOW, objects, events: [ev] }));
      expect(f?.failureMode).toBe('unschedulable');
      return f;
    };
    const short =
      '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.';
    const f = await analyze(short);
    expect(f?.confidence).toBe(0.9);
    expect(f?.remediation?.patch).toEqual({
      kind: 'Deployment',
      name: 'api',
      namespace: 'shop',
      field: 'spec.template.spec.containers[name=api].resources.requests.cpu',
      from: '8',
      to: '800m',
      rationale:
        'No node can hold a cpu request of 8 (the largest allocates 4); the previous revision requested 800m and ran.',
    });
    expect(f?.remediation?.steps[0]).toContain('the latest rollout raised it from 800m');
    // A node could hold it: the cluster is full, which is a capacity question.
    expect((await analyze(short, [node('node-c', '16')]))?.remediation?.patch).toBeUndefined();
    // The scheduler names another reason too: lowering the request alone may not place it.
    const mixed =
      '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {gpu: true}. preemption: 0/2 nodes are available.';
    expect((await analyze(mixed))?.remediation?.patch).toBeUndefined();
    // The previous revision never ran: its request is no evidence.
    expect((await analyze(short, undefined, 0))?.remediation?.patch).toBeUndefined();
  });
});
