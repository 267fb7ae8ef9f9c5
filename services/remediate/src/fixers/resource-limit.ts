import { decline } from '../decline';
import { parseQuantity, sameQuantity, type ManifestPatch } from '@sleuth/core';
import { key, type PathSegment } from '../field-path';
import type { Fixer } from './fixer';
import { containerOf, getField, rolloutStatus } from './kubectl';
import { analyzerRationale, checkField, checkRaise, checkTarget } from './patch-values';
import { buildProposal, revertRollback, slugOf } from './proposal';

/** The kinds whose pod template (or pod spec) a resource fix edits. */
export const WORKLOAD_KINDS = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Pod',
];

export interface ResourceLimitSpec {
  id: string;
  resource: 'memory' | 'cpu';
  failureModes: readonly string[];
  kinds: readonly string[];
  /** Why the change is needed, in one sentence, from the patch's values. */
  because: (patch: ManifestPatch) => string;
  risk: (patch: ManifestPatch) => string;
  /** kubectl commands beyond the rollout status and the field read-back. */
  commands: (patch: ManifestPatch, container: string) => string[];
}

/**
 * A fixer that raises one container's CPU or memory limit to the analyzer's proposed value. It
 * keeps the request ≤ the limit and never lowers a request: when the request is already above
 * the new limit, it declines.
 */
export function resourceLimitFixer(spec: ResourceLimitSpec): Fixer {
  const shape = new RegExp(
    `(^|\\.)(containers|initContainers)\\[name=[^\\]]+\\]\\.resources\\.limits\\.${spec.resource}$`,
  );
  const what = `${spec.resource} limit`;
  const fixer: Fixer = {
    id: spec.id,
    failureModes: spec.failureModes,
    accepts: (patch, field) =>
      checkTarget(patch, spec.kinds, spec.id) ??
      checkField(field, shape, `a container's ${what}`) ??
      checkRaise(patch, what),
    propose(input) {
      const { patch, field, manifest } = input;
      const bad = fixer.accepts(patch, field);
      if (bad) return bad;
      const requestPath: PathSegment[] = [...field.slice(0, -2), key('requests'), key(spec.resource)];
      const request = manifest.valueOf(requestPath).value;
      if ((parseQuantity(request) ?? 0) > (parseQuantity(patch.to) ?? 0))
        return decline(
          'needs-person',
          `the ${spec.resource} request (${String(request)}) is above the proposed limit ${patch.to}; lowering a request changes scheduling, so a person should decide`,
        );
      const container = containerOf(field);
      const ref = `${patch.kind} ${patch.namespace ? `${patch.namespace}/` : ''}${patch.name}`;
      const extra = analyzerRationale(patch, input.rootCause.origin);
      return buildProposal(input, {
        fixer: spec.id,
        edits: [{ op: 'set', path: manifest.fieldPath, value: patch.to, quantity: true }],
        current: manifest.valueOf(field).value,
        same: (v, text) => sameQuantity(v, text),
        title: `Raise the ${what} of ${container} in ${ref} from ${patch.from} to ${patch.to}`,
        slug: slugOf(spec.resource, 'limit', patch.name, container),
        rationale: `${spec.because(patch)} Raise the ${what} of container ${container} from ${patch.from} to ${patch.to}.${extra ? ` ${extra}` : ''}`,
        risk: spec.risk(patch),
        rollback: revertRollback(`the pods restart with the ${patch.from} limit.`),
        commands: [...rolloutStatus(patch), getField(patch, field), ...spec.commands(patch, container)],
      });
    },
  };
  return fixer;
}
