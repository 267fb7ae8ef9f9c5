import type { ObjectSnapshot } from '@sleuth/core';
import type { AnalysisContext } from './analyzer';
import { controllerOf } from './object-fields';

/** The live pods a workload controls: directly, or (a Deployment's) through its ReplicaSets. */
export async function workloadPods(w: ObjectSnapshot, ctx: AnalysisContext): Promise<ObjectSnapshot[]> {
  const owners = new Set([`${w.ref.kind}/${w.ref.name}`]);
  if (w.ref.kind === 'Deployment') {
    for (const rs of await ctx.objects(w.ref.cluster, 'ReplicaSet', w.ref.namespace)) {
      const o = controllerOf(rs.object);
      if (o?.kind === 'Deployment' && o.name === w.ref.name) owners.add(`ReplicaSet/${rs.ref.name}`);
    }
  }
  return (await ctx.objects(w.ref.cluster, 'Pod', w.ref.namespace)).filter((pod) => {
    const o = controllerOf(pod.object);
    return o !== undefined && owners.has(`${o.kind}/${o.name}`);
  });
}
