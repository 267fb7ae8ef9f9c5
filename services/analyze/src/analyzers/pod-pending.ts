import type { ObjectSnapshot } from '@sleuth/core';
import type { AnalysisContext } from './analyzer';
import type { Finding } from './finding';
import { at, clip, condition, eventEvidence, fieldEvidence, nsFlag, rec, text } from './object-fields';
import type { PodContainer } from './pod-containers';

/**
 * What the scheduler's message means, and what to do about it. `downstream`: the pod waits on
 * another object's failure (an unbound claim), which is the cause to rank first.
 */
const CAUSES: { test: RegExp; cause: string; step: string; downstream?: true }[] = [
  {
    test: /Insufficient (cpu|memory|nvidia|ephemeral)/i,
    cause: 'no node has enough free capacity for its requests',
    step: 'Lower the requests to what the pod really uses, or add nodes (check the cluster autoscaler).',
  },
  {
    test: /untolerated taint|had taint/i,
    cause: 'the nodes with room carry taints the pod does not tolerate',
    step: 'Add the matching toleration, or schedule onto untainted nodes.',
  },
  {
    test: /didn't match (Pod's )?node (affinity|selector)/i,
    cause: 'its nodeSelector/affinity matches no node',
    step: 'Fix the nodeSelector or node affinity to match existing node labels.',
  },
  {
    test: /unbound immediate PersistentVolumeClaims|volume node affinity conflict/i,
    cause: 'a volume it mounts is not bound (or lives in another zone)',
    step: 'Fix the PersistentVolumeClaim first (the PVC analyzer explains it).',
    downstream: true,
  },
];

/** A pod the scheduler cannot place, quoting its message and the pod's requests. */
export async function unschedulable(
  pod: ObjectSnapshot,
  containers: readonly PodContainer[],
  ctx: AnalysisContext,
): Promise<Finding[]> {
  const scheduled = condition(pod.object, 'PodScheduled');
  if (at(pod.object, 'status.phase') !== 'Pending' || scheduled?.['status'] !== 'False') return [];
  const events = (await ctx.events(pod.ref, ctx.nowMs - 3_600_000)).filter(
    (e) => e.reason === 'FailedScheduling',
  );
  const message = events[0]?.message ?? text(scheduled['message']) ?? '';
  const cause = CAUSES.find((c) => c.test.test(message));
  const requests = containers
    .map((c) => {
      const r = rec(rec(c.spec['resources'])['requests']);
      const parts = ['cpu', 'memory'].flatMap((k) => (text(r[k]) ? [`${k} ${text(r[k]) ?? ''}`] : []));
      return parts.length > 0 ? `${c.name}: ${parts.join(', ')}` : undefined;
    })
    .filter((x) => x !== undefined);
  return [
    {
      analyzer: 'pod',
      resource: pod.ref,
      failureMode: 'unschedulable',
      title: `Pod ${pod.ref.name} cannot be scheduled${cause ? `: ${cause.cause}` : ''}`,
      explanation: `The scheduler finds no node for the pod: "${clip(message, 600)}".${requests.length > 0 ? ` Its requests: ${requests.join('; ')}.` : ''}`,
      evidence: [
        fieldEvidence(
          pod,
          'status.conditions[type=PodScheduled]',
          `PodScheduled=False (${text(scheduled['reason']) ?? '?'})`,
        ),
        ...eventEvidence(events, `FailedScheduling: ${clip(message, 300)}`),
      ],
      confidence: cause?.downstream ? 0.6 : cause ? 0.9 : 0.75,
      remediation: {
        steps: [cause?.step ?? "Read the scheduler's message and relax the constraint it names."],
        commands: [
          `kubectl describe pod ${pod.ref.name}${nsFlag(pod.ref)}`,
          'kubectl describe nodes | grep -A5 Allocated',
        ],
      },
    },
  ];
}
