import type { Evidence, ManifestPatch, ObjectSnapshot } from '@sleuth/core';
import type { AnalysisContext } from './analyzer';
import type { Finding } from './finding';
import {
  at,
  clip,
  condition,
  eventEvidence,
  fieldEvidence,
  num,
  nsFlag,
  quantity,
  rec,
  text,
} from './object-fields';
import type { PodContainer } from './pod-containers';
import { podRevision } from './workload-revision';

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
  const short = shortOf(message);
  const fix = short ? await requestRollback(pod, containers, short, ctx) : undefined;
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
        ...(fix?.evidence ?? []),
      ],
      confidence: cause?.downstream ? 0.6 : cause ? 0.9 : 0.75,
      remediation: {
        steps: [
          ...(fix ? [fix.step] : []),
          cause?.step ?? "Read the scheduler's message and relax the constraint it names.",
        ],
        commands: [
          `kubectl describe pod ${pod.ref.name}${nsFlag(pod.ref)}`,
          'kubectl describe nodes | grep -A5 Allocated',
        ],
        ...(fix ? { patch: fix.patch } : {}),
      },
    },
  ];
}

type Resource = 'cpu' | 'memory';

/** The resource every node is short of, when that is the scheduler's only reason (`5 Insufficient cpu`). */
function shortOf(message: string): Resource | undefined {
  const reasons = /nodes are available: ([^.]*)\./.exec(message)?.[1];
  if (!reasons) return undefined;
  const short = new Set<string>();
  for (const part of reasons.split(',')) {
    const r = /^\s*\d+ Insufficient (cpu|memory)\s*$/.exec(part)?.[1];
    if (!r) return undefined;
    short.add(r);
  }
  const [only, ...more] = short;
  return (only === 'cpu' || only === 'memory') && more.length === 0 ? only : undefined;
}

/** What the pod's containers request of a resource, as the scheduler adds it up. */
function podRequest(containers: readonly PodContainer[], r: Resource): number {
  const of = (c: PodContainer): number => quantity(rec(rec(c.spec['resources'])['requests'])[r]) ?? 0;
  const apps = containers.filter((c) => !c.init).reduce((n, c) => n + of(c), 0);
  return Math.max(apps, ...containers.filter((c) => c.init).map(of));
}

/**
 * Lowering a request no node can ever satisfy back to what the Deployment's previous revision
 * ran with: the pod belongs to the newest ReplicaSet, whose rollout raised one container's
 * request of the short resource; the pod's requests exceed every collected node's allocatable;
 * with the old value they fit the largest node; the previous ReplicaSet has available replicas.
 * Anything else (a full cluster, no earlier value) is a capacity question for a person.
 */
async function requestRollback(
  pod: ObjectSnapshot,
  containers: readonly PodContainer[],
  r: Resource,
  ctx: AnalysisContext,
): Promise<{ patch: ManifestPatch; evidence: Evidence[]; step: string } | undefined> {
  const nodes = (await ctx.objects(pod.ref.cluster, 'Node')).flatMap((n) => {
    const v = quantity(at(n.object, `status.allocatable.${r}`));
    return v === undefined ? [] : [{ n, v }];
  });
  const largest = nodes.reduce<(typeof nodes)[number] | undefined>(
    (a, b) => (a && a.v >= b.v ? a : b),
    undefined,
  );
  const total = podRequest(containers, r);
  if (!largest || total <= largest.v) return undefined;
  const revision = await podRevision(pod, ctx);
  const previous = revision?.change.previousReplicaSet;
  const raised = revision?.change.changes.filter((ch) => ch.what === `resources.requests.${r}`) ?? [];
  const [ch, ...more] = raised;
  const c = containers.find((x) => x.name === ch?.container && !x.init);
  if (!revision || !previous || !ch || more.length > 0 || !c) return undefined;
  const before = quantity(ch.from);
  const now = quantity(ch.to);
  const live = text(rec(rec(c.spec['resources'])['requests'])[r]);
  if (before === undefined || now === undefined || live !== ch.to || before >= now) return undefined;
  if (total - now + before > largest.v || (num(at(previous.object, 'status.availableReplicas')) ?? 0) < 1)
    return undefined;
  const { deployment } = revision;
  const allocatable = text(at(largest.n.object, `status.allocatable.${r}`)) ?? String(largest.v);
  return {
    patch: {
      kind: 'Deployment',
      name: deployment.ref.name,
      ...(deployment.ref.namespace ? { namespace: deployment.ref.namespace } : {}),
      field: `spec.template.spec.containers[name=${c.name}].resources.requests.${r}`,
      from: ch.to,
      to: ch.from,
      rationale: `No node can hold a ${r} request of ${ch.to} (the largest allocates ${allocatable}); the previous revision requested ${ch.from} and ran.`,
    },
    evidence: [
      fieldEvidence(
        largest.n,
        `status.allocatable.${r}`,
        `largest node ${largest.n.ref.name}: ${allocatable} ${r} allocatable`,
      ),
      fieldEvidence(
        previous,
        `spec.template.spec.containers[name=${c.name}].resources.requests.${r}`,
        `ReplicaSet ${previous.ref.name} requested ${ch.from} ${r}`,
      ),
    ],
    step: `The pod requests more ${r} than any node has (${ch.to}, the largest node allocates ${allocatable}); the latest rollout raised it from ${ch.from}: set it back (or fix the typo).`,
  };
}
