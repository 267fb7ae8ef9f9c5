import type { Evidence, ObjectSnapshot, ResourceRef } from '@sleuth/core';
import type { Analyzer, AnalysisContext } from './analyzer';
import type { Finding, FindingRemediation } from './finding';
import { at, clip, condition, controllerOf, fieldEvidence, nsFlag, num, text } from './object-fields';
import { podContainers, waiting } from './pod-containers';
import { changesText } from './template-diff';
import { workloadPods } from './workload-pods';
import { imageRollbackPatch, revisionChange, type RevisionChange } from './workload-revision';

/** Replica counts of a workload, read per kind. */
interface Replicas {
  desired: number;
  available: number;
  updated?: number;
  /** The status field the available count came from. */
  field: string;
}

function replicas(w: ObjectSnapshot): Replicas | undefined {
  const o = w.object;
  switch (w.ref.kind) {
    case 'Deployment':
    case 'ReplicaSet':
      return {
        desired: num(at(o, 'spec.replicas')) ?? 1,
        available: num(at(o, 'status.availableReplicas')) ?? 0,
        ...(w.ref.kind === 'Deployment' ? { updated: num(at(o, 'status.updatedReplicas')) ?? 0 } : {}),
        field: 'status.availableReplicas',
      };
    case 'StatefulSet':
      return {
        desired: num(at(o, 'spec.replicas')) ?? 1,
        available: num(at(o, 'status.availableReplicas')) ?? num(at(o, 'status.readyReplicas')) ?? 0,
        updated: num(at(o, 'status.updatedReplicas')) ?? 0,
        field: 'status.availableReplicas',
      };
    case 'DaemonSet':
      return {
        desired: num(at(o, 'status.desiredNumberScheduled')) ?? 0,
        available: num(at(o, 'status.numberAvailable')) ?? 0,
        updated: num(at(o, 'status.updatedNumberScheduled')) ?? 0,
        field: 'status.numberAvailable',
      };
    default:
      return undefined;
  }
}

/** Why the rollout is stuck, when the workload says so; undefined for a rollout still progressing. */
function stalled(w: ObjectSnapshot, r: Replicas): { field: string; summary: string } | undefined {
  const progressing = condition(w.object, 'Progressing');
  if (progressing?.['status'] === 'False')
    return {
      field: 'status.conditions[type=Progressing]',
      summary: `Progressing=False (${text(progressing['reason']) ?? '?'}): ${clip(text(progressing['message']) ?? '', 300)}`,
    };
  const cur = text(at(w.object, 'status.currentRevision'));
  const upd = text(at(w.object, 'status.updateRevision'));
  if (w.ref.kind === 'StatefulSet' && cur && upd && cur !== upd && r.available < r.desired)
    return {
      field: 'status.updateRevision',
      summary: `update to revision ${upd} stuck: ${r.updated ?? 0} of ${r.desired} updated`,
    };
  return undefined;
}

/**
 * Deployments, ReplicaSets, StatefulSets and DaemonSets with unavailable replicas or a stalled
 * rollout: names the pods that are not available and why, and the pod-template change (image, env,
 * resources) between the current and previous revision that introduced the problem.
 */
export const workloadAnalyzer: Analyzer = {
  id: 'workload',
  kinds: ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'],
  async analyze(ref: ResourceRef, ctx: AnalysisContext): Promise<Finding[]> {
    const w = await ctx.object(ref);
    if (!w) return [];
    const r = replicas(w);
    if (!r || r.available >= r.desired) return [];
    // A ReplicaSet owned by a Deployment is explained on the Deployment.
    if (ref.kind === 'ReplicaSet' && controllerOf(w.object)?.kind === 'Deployment') return [];
    const stall = stalled(w, r);
    const pods = await unavailablePods(w, ctx);
    const found = await revisionChange(w, ctx);
    // When the unavailable pods all run the previous revision, the new template did not break them.
    const change =
      found?.currentReplicaSet && pods.length > 0 && !pods.some((p) => p.owner === found.currentReplicaSet)
        ? undefined
        : found;
    const missing = r.desired - r.available;
    const kind = ref.kind.toLowerCase();
    const podsText =
      pods.length === 0
        ? ''
        : ` Not available: ${pods
            .map((p) => `${p.name} (${p.why})`)
            .slice(0, 5)
            .join(', ')}.`;
    const changeText = change
      ? ` The latest rollout${change.currentRevision ? ` (revision ${change.currentRevision})` : ''} changed the pod template: ${changesText(change.changes)}.`
      : '';
    const evidence: Evidence[] = [
      fieldEvidence(w, r.field, `${r.available} of ${r.desired} replicas available`),
      ...(stall ? [fieldEvidence(w, stall.field, stall.summary)] : []),
      ...pods.slice(0, 5).map((p) => p.evidence),
      ...(change?.evidence ?? []),
    ];
    return [
      {
        analyzer: 'workload',
        resource: ref,
        failureMode: stall ? 'rollout-stalled' : 'unavailable-replicas',
        title: stall
          ? `Rollout of ${kind} ${ref.name} is stalled: ${r.available} of ${r.desired} replicas available`
          : `${ref.kind} ${ref.name} has ${missing} unavailable replica${missing === 1 ? '' : 's'} (${r.available} of ${r.desired} available)`,
        explanation: `${ref.kind} ${ref.name} wants ${r.desired} replicas but only ${r.available} are available.${stall ? ` Its rollout is not progressing: ${stall.summary.replace(/\.+$/, '')}.` : ''}${podsText}${changeText}`,
        evidence,
        confidence: change && pods.length > 0 ? 0.9 : pods.length > 0 ? 0.8 : 0.6,
        remediation: remediation(w, change),
      },
    ];
  },
};

interface UnavailablePod {
  name: string;
  /** The pod's controller (its ReplicaSet for a Deployment). */
  owner: string;
  why: string;
  evidence: Evidence;
}

/** The workload's pods that are not Ready, each with the clearest reason its status gives. */
async function unavailablePods(w: ObjectSnapshot, ctx: AnalysisContext): Promise<UnavailablePod[]> {
  const out: UnavailablePod[] = [];
  for (const pod of await workloadPods(w, ctx)) {
    const o = controllerOf(pod.object);
    if (!o) continue;
    if (condition(pod.object, 'Ready')?.['status'] === 'True') continue;
    const stuck = podContainers(pod).find((c) => waiting(c).reason !== undefined);
    const sched = condition(pod.object, 'PodScheduled');
    const why = stuck
      ? `${stuck.label} ${waiting(stuck).reason ?? ''}`
      : sched?.['status'] === 'False'
        ? `unschedulable: ${clip(text(sched['message']) ?? '', 120)}`
        : `${text(at(pod.object, 'status.phase')) ?? 'unknown phase'}, not ready`;
    out.push({
      name: pod.ref.name,
      owner: o.name,
      why,
      evidence: fieldEvidence(
        pod,
        stuck ? `${stuck.statusField}.state.waiting` : 'status.conditions',
        `pod ${pod.ref.name}: ${why}`,
      ),
    });
  }
  return out;
}

function remediation(w: ObjectSnapshot, change: RevisionChange | undefined): FindingRemediation {
  const kind = w.ref.kind.toLowerCase();
  const target = `${kind}/${w.ref.name}${nsFlag(w.ref)}`;
  const patch =
    change &&
    imageRollbackPatch(
      w,
      change,
      (from) =>
        `The rollout that made replicas unavailable changed this image from ${from}; going back restores the last version that ran.`,
    );
  const steps = change
    ? [
        `Review the template change of the latest rollout (${changesText(change.changes, 3)}); it is the likeliest cause.`,
        w.ref.kind === 'Deployment' && change.previousRevision
          ? `Roll back to revision ${change.previousRevision} while it is fixed.`
          : 'Revert the template change in the manifest while it is fixed.',
      ]
    : ['Look at why the pods listed are not available (the pod analyzer explains each) and fix that cause.'];
  const commands = [
    `kubectl rollout status ${target}`,
    `kubectl get pods${nsFlag(w.ref)} -o wide`,
    ...(w.ref.kind === 'Deployment' || w.ref.kind === 'StatefulSet' || w.ref.kind === 'DaemonSet'
      ? [`kubectl rollout history ${target}`]
      : []),
  ];
  return {
    steps,
    commands,
    ...(patch ? { patch } : {}),
  };
}
