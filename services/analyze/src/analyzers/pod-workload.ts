import type { ObjectSnapshot } from '@sleuth/core';
import type { AnalysisContext } from './analyzer';
import { controllerOf, sibling } from './object-fields';

/** Where a pod's manifest lives: the workload whose template made it, or the pod itself. */
export interface PodOwner {
  kind: string;
  name: string;
  /** The prefix of container fields in that manifest (`spec.template.spec` or `spec`). */
  podSpecField: string;
}

/**
 * The workload a fix should change for this pod: its Deployment (through the ReplicaSet),
 * StatefulSet, DaemonSet, Job or CronJob (through the Job); the pod itself when it has no owner.
 */
export async function podOwner(pod: ObjectSnapshot, ctx: AnalysisContext): Promise<PodOwner> {
  let owner = controllerOf(pod.object);
  if (!owner) return { kind: 'Pod', name: pod.ref.name, podSpecField: 'spec' };
  if (owner.kind === 'ReplicaSet' || owner.kind === 'Job') {
    const parent = await ctx.object(sibling(pod.ref, owner.kind, owner.name));
    const grand = parent ? controllerOf(parent.object) : undefined;
    if (grand) owner = grand;
  }
  const podSpecField =
    owner.kind === 'CronJob' ? 'spec.jobTemplate.spec.template.spec' : 'spec.template.spec';
  return { ...owner, podSpecField };
}
