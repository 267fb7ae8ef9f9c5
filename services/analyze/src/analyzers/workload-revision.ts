import type { Evidence, ManifestPatch, ObjectSnapshot } from '@sleuth/core';
import type { AnalysisContext } from './analyzer';
import { at, controllerOf, fieldEvidence, list, sibling, stringMap } from './object-fields';
import { diffTemplates, type TemplateChange } from './template-diff';

/** The template change that introduced the current revision, and where it was read. */
export interface RevisionChange {
  changes: TemplateChange[];
  /** The previous revision's number, when the workload numbers them (Deployment). */
  previousRevision?: string;
  currentRevision?: string;
  /** The ReplicaSet of the current revision (Deployment only): its pods are the new ones. */
  currentReplicaSet?: string;
  /** The ReplicaSet of the previous revision (Deployment only), what a rollback goes back to. */
  previousReplicaSet?: ObjectSnapshot;
  evidence: Evidence[];
}

const REVISION = 'deployment.kubernetes.io/revision';
/** Past snapshots read to find the previous template of a StatefulSet/DaemonSet/ReplicaSet. */
const HISTORY = 50;

/**
 * What changed in the pod template with the latest rollout: for a Deployment, its newest
 * ReplicaSet against the one before (by revision annotation); for other workloads, the current
 * template against the last different one in the object's history. Undefined when there is no
 * earlier template or nothing differs.
 */
export async function revisionChange(
  w: ObjectSnapshot,
  ctx: AnalysisContext,
): Promise<RevisionChange | undefined> {
  if (w.ref.kind === 'Deployment') return deploymentChange(w, ctx);
  const current = JSON.stringify(at(w.object, 'spec.template'));
  const past = await ctx.history(w.ref, HISTORY);
  const before = past.find((p) => JSON.stringify(at(p.object, 'spec.template')) !== current);
  if (!before) return undefined;
  const changes = diffTemplates(at(before.object, 'spec.template'), at(w.object, 'spec.template'));
  if (changes.length === 0) return undefined;
  return {
    changes,
    evidence: [
      fieldEvidence(before, 'spec.template', 'pod template before the change'),
      fieldEvidence(w, 'spec.template', 'pod template now'),
    ],
  };
}

async function deploymentChange(
  d: ObjectSnapshot,
  ctx: AnalysisContext,
): Promise<RevisionChange | undefined> {
  const all = await ctx.objects(d.ref.cluster, 'ReplicaSet', d.ref.namespace);
  const mine = all
    .filter((rs) => {
      const owner = controllerOf(rs.object);
      return owner?.kind === 'Deployment' && owner.name === d.ref.name;
    })
    .map((rs) => ({
      rs,
      revision: Number(stringMap(at(rs.object, 'metadata.annotations'))[REVISION] ?? NaN),
    }))
    .filter((x) => Number.isFinite(x.revision))
    .sort((a, b) => b.revision - a.revision);
  const [cur, prev] = mine;
  if (!cur || !prev) return undefined;
  const changes = diffTemplates(at(prev.rs.object, 'spec.template'), at(cur.rs.object, 'spec.template'));
  if (changes.length === 0) return undefined;
  const field = `metadata.annotations[${REVISION}]`;
  return {
    changes,
    previousRevision: String(prev.revision),
    currentRevision: String(cur.revision),
    currentReplicaSet: cur.rs.ref.name,
    previousReplicaSet: prev.rs,
    evidence: [
      fieldEvidence(prev.rs, field, `ReplicaSet ${prev.rs.ref.name} is revision ${prev.revision}`),
      fieldEvidence(cur.rs, field, `ReplicaSet ${cur.rs.ref.name} is revision ${cur.revision} (current)`),
    ],
  };
}

/**
 * The pod's Deployment and its latest template change, when the pod belongs to the newest
 * ReplicaSet (the revision the change introduced); undefined for other pods.
 */
export async function podRevision(
  pod: ObjectSnapshot,
  ctx: AnalysisContext,
): Promise<{ deployment: ObjectSnapshot; change: RevisionChange } | undefined> {
  const rsName = controllerOf(pod.object);
  if (rsName?.kind !== 'ReplicaSet') return undefined;
  const rs = await ctx.object(sibling(pod.ref, 'ReplicaSet', rsName.name));
  const owner = rs ? controllerOf(rs.object) : undefined;
  if (owner?.kind !== 'Deployment') return undefined;
  const deployment = await ctx.object(sibling(pod.ref, 'Deployment', owner.name));
  const change = deployment ? await revisionChange(deployment, ctx) : undefined;
  return deployment && change?.currentReplicaSet === rsName.name ? { deployment, change } : undefined;
}

/**
 * The one-field patch that puts back the image a rollout replaced: the container's image from the
 * new version to the old. Undefined when the change added no image to go back to.
 */
export function imageRollbackPatch(
  w: ObjectSnapshot,
  change: RevisionChange,
  rationale: (from: string) => string,
): ManifestPatch | undefined {
  const image = change.changes.find((c) => c.what === 'image' && c.from !== '(none)');
  if (!image) return undefined;
  const init = list(at(w.object, 'spec.template.spec.initContainers')).some(
    (c) => c['name'] === image.container,
  );
  return {
    kind: w.ref.kind,
    name: w.ref.name,
    ...(w.ref.namespace ? { namespace: w.ref.namespace } : {}),
    field: `spec.template.spec.${init ? 'initContainers' : 'containers'}[name=${image.container}].image`,
    from: image.to,
    to: image.from,
    rationale: rationale(image.from),
  };
}

/** The repository of an image reference: `ghcr.io/acme/cart:1.4@sha256:…` → `ghcr.io/acme/cart`. */
export function imageRepository(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}
