import type { ManifestPatch } from '@sleuth/core';
import { decline, isDecline, type Decline } from '../decline';
import { parseDocuments, type FieldEdit } from '../edit/yaml-edit';
import { isRecord, scalarText, valueAt } from '../field-path';
import type { Fixer, FixerInput, RemediationProposal } from './fixer';
import { containerOf, getField, nsFlag, objectArg, rolloutStatus } from './kubectl';
import {
  analyzerRationale,
  checkField,
  checkTarget,
  imageValue,
  parseImageReference,
  type ImageReference,
} from './patch-values';
import { buildProposal, revertRollback, slugOf } from './proposal';

/** Kinds with revisions to go back to: the workloads that roll out a pod template. */
const KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];
const IMAGE_FIELD = /^spec\.template\.spec\.(containers|initContainers)\[name=[^\]]+\]\.image$/;

/** What happened after the rollout, by failure mode, for the rationale. */
const SYMPTOM: Record<string, string> = {
  'bad-rollout': 'errors or latency began',
  'rollout-stalled': 'the rollout stalled',
  'unavailable-replicas': 'replicas became unavailable',
  'image-pull-error': 'the kubelet cannot pull the new image',
};

/** Both ends of the patch as image references of one repository, differing in tag or digest. */
function references(patch: ManifestPatch): { from: ImageReference; to: ImageReference } | Decline {
  const to = imageValue(patch.to, 'image to roll back to', true);
  if (isDecline(to)) return to;
  const from = imageValue(patch.from, 'current image', false);
  if (isDecline(from)) return from;
  if (from.repository !== to.repository)
    return decline(
      'needs-person',
      `going back from ${patch.from} to ${patch.to} changes the image repository, not only the tag; Sleuth only reverts tags and digests, so a person should decide`,
    );
  if (patch.from === patch.to) return decline('invalid-patch', 'the patch would not change the image');
  return { from, to };
}

/** `images[i]` of a kustomization: the entry the locator maps the container's image to. */
interface ImagesEntry {
  newName?: string;
  newTag?: string;
  digest?: string;
}

function imagesEntry(input: FixerInput): ImagesEntry | undefined {
  const { manifest } = input;
  const docs = parseDocuments(manifest.text);
  const doc = Array.isArray(docs) ? docs[manifest.documentIndex] : undefined;
  const entry = valueAt(doc?.toJS(), manifest.fieldPath.slice(0, -1)).value;
  if (!isRecord(entry)) return undefined;
  const field = (k: string): Partial<Record<string, string>> => {
    const v = scalarText(entry[k]);
    return v === undefined ? {} : { [k]: v };
  };
  return { ...field('newName'), ...field('newTag'), ...field('digest') };
}

/** The part of an image reference after its repository: `:1.4.2`, `@sha256:…`, or nothing. */
function suffixOf(image: string, repository: string): string {
  return image.startsWith(repository) ? image.slice(repository.length) : '';
}

/**
 * The image the cluster gets and the edit that puts `to` back. Plain manifests and patches hold
 * the image string; a Kustomize `images:` entry holds the tag (`newTag`), so only a tag goes there.
 */
function imageEdit(input: FixerInput, to: ImageReference): { current: unknown; edit: FieldEdit } | Decline {
  const { manifest, field, patch } = input;
  const base = manifest.valueOf(field).value;
  if (manifest.via !== 'kustomize-images')
    return { current: base, edit: { op: 'set', path: manifest.fieldPath, value: patch.to, plain: true } };
  const entry = imagesEntry(input);
  const baseRef = typeof base === 'string' ? parseImageReference(base) : undefined;
  if (!entry || !baseRef || typeof base !== 'string')
    return decline('unsupported', `cannot read the images: entry of ${manifest.file}; edit it by hand`);
  if (entry.digest !== undefined || to.digest !== undefined || to.tag === undefined)
    return decline(
      'unsupported',
      `the images: entry in ${manifest.file} would have to pin a digest; Sleuth only sets newTag there, so edit it by hand`,
    );
  // What Kustomize renders: the entry's newName and newTag over the base manifest's image.
  const repository = entry.newName ?? baseRef.repository;
  const current = `${repository}${entry.newTag !== undefined ? `:${entry.newTag}` : suffixOf(base, baseRef.repository)}`;
  return { current, edit: { op: 'set', path: manifest.fieldPath, value: to.tag } };
}

function risk(mode: string, patch: ManifestPatch): string {
  const restart =
    mode === 'image-pull-error'
      ? 'The new pods never started, so nothing that ran is replaced; the rollout finishes on the old version.'
      : 'Changing the pod template restarts the pods (a rolling update).';
  return `The pods run ${patch.to} again: whatever ${patch.from} changed (fixes, new endpoints other services may already call, data migrations it ran) goes with it; check the newer version did not migrate data the older one cannot read. ${restart}`;
}

function propose(input: FixerInput, to: ImageReference): RemediationProposal | Decline {
  const { patch, field, rootCause } = input;
  const mode = rootCause.failureMode;
  const edit = imageEdit(input, to);
  if (isDecline(edit)) return edit;
  const container = containerOf(field);
  const ref = `${patch.kind} ${patch.namespace ? `${patch.namespace}/` : ''}${patch.name}`;
  const extra = analyzerRationale(patch, rootCause.origin);
  const history = `kubectl rollout history ${objectArg(patch)}${nsFlag(patch)}`;
  return buildProposal(input, {
    fixer: 'image',
    edits: [edit.edit],
    current: edit.current,
    same: (v, text) => scalarText(v) === text,
    title: `Roll the image of ${container} in ${ref} back to ${patch.to}`,
    slug: slugOf('rollback', patch.name, container),
    rationale: `The latest rollout changed the image of container ${container} from ${patch.to} to ${patch.from}, and ${SYMPTOM[mode] ?? 'the workload began failing'}. Put back ${patch.to}, the image the previous revision ran, while the new version is fixed.${extra ? ` ${extra}` : ''}`,
    risk: risk(mode, patch),
    rollback: revertRollback(`the pods move to ${patch.from} again.`),
    commands: [...rolloutStatus(patch), getField(patch, field), history],
  });
}

/**
 * A rollout that broke a workload (errors after it, a stalled rollout, unavailable replicas, a
 * tag that cannot be pulled): puts back the image the previous revision ran. Only tags and
 * digests are reverted (the repository stays), and only from the rule engine, whose image
 * patches come from the workload's own revisions (the previous ReplicaSet's template, or the
 * object's history); an LLM's image suggestion is not enough.
 */
export const imageFixer: Fixer = {
  id: 'image',
  failureModes: ['bad-rollout', 'rollout-stalled', 'unavailable-replicas', 'image-pull-error'],
  accepts(patch, field) {
    const bad = checkTarget(patch, KINDS, 'image') ?? checkField(field, IMAGE_FIELD, "a container's image");
    if (bad) return bad;
    const refs = references(patch);
    return isDecline(refs) ? refs : undefined;
  },
  propose(input) {
    const { patch, field, rootCause } = input;
    const bad = imageFixer.accepts(patch, field);
    if (bad) return bad;
    if (rootCause.origin !== 'rules')
      return decline(
        'needs-person',
        `Sleuth rolls back only to an image a previous revision of ${patch.name} ran, as the rule engine reads it from the workload's history; this root cause comes from the LLM investigator`,
      );
    const refs = references(patch);
    return isDecline(refs) ? refs : propose(input, refs.to);
  },
};
