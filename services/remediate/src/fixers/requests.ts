import { isQuantity, parseQuantity, sameQuantity, type ManifestPatch } from '@sleuth/core';
import { decline } from '../decline';
import type { Fixer } from './fixer';
import { containerOf, getField, nsFlag, rolloutStatus } from './kubectl';
import { analyzerRationale, checkField, checkTarget } from './patch-values';
import { buildProposal, revertRollback, slugOf } from './proposal';
import { WORKLOAD_KINDS } from './resource-limit';

const REQUEST_FIELD = /(^|\.)(containers|initContainers)\[name=[^\]]+\]\.resources\.requests\.(cpu|memory)$/;

function resourceOf(patch: ManifestPatch): string {
  return patch.field.endsWith('.memory') ? 'memory' : 'cpu';
}

/** What a person can do instead: the capacity the request asks for. */
function capacity(patch: ManifestPatch): string {
  return `if the pods need ${patch.from} of ${resourceOf(patch)}, add capacity instead: nodes with more than that allocatable (a bigger node group for the cluster autoscaler)`;
}

/**
 * Pods no node can hold: lowers one container's CPU or memory request back to the value the
 * workload's previous revision ran with (the pod analyzer proposes it only then). Only the rule
 * engine's patches are taken: choosing a smaller request otherwise is a sizing decision, and the
 * decline says what capacity would place the pods instead.
 */
export const requestsFixer: Fixer = {
  id: 'requests',
  failureModes: ['unschedulable'],
  accepts(patch, field) {
    const bad =
      checkTarget(patch, WORKLOAD_KINDS, 'requests') ??
      checkField(field, REQUEST_FIELD, "a container's cpu or memory request");
    if (bad) return bad;
    if (!isQuantity(patch.to) || !isQuantity(patch.from))
      return decline(
        'invalid-patch',
        'the request in the patch is not a Kubernetes quantity; nothing was changed',
      );
    const to = parseQuantity(patch.to) ?? 0;
    if (to <= 0 || to >= (parseQuantity(patch.from) ?? 0))
      return decline(
        'invalid-patch',
        `the requests fixer only lowers a request, and ${patch.to} is not below ${patch.from}`,
      );
    return undefined;
  },
  propose(input) {
    const { patch, field, manifest, rootCause } = input;
    const bad = requestsFixer.accepts(patch, field);
    if (bad) return bad;
    if (rootCause.origin !== 'rules')
      return decline(
        'needs-person',
        `Sleuth lowers a request only back to what a previous revision ran with, as the rule engine reads it from the workload's history; ${capacity(patch)}`,
      );
    const resource = resourceOf(patch);
    const container = containerOf(field);
    const ref = `${patch.kind} ${patch.namespace ? `${patch.namespace}/` : ''}${patch.name}`;
    const extra = analyzerRationale(patch, rootCause.origin);
    return buildProposal(input, {
      fixer: 'requests',
      edits: [{ op: 'set', path: manifest.fieldPath, value: patch.to, quantity: true }],
      current: manifest.valueOf(field).value,
      same: (v, text) => sameQuantity(v, text),
      title: `Lower the ${resource} request of ${container} in ${ref} from ${patch.from} to ${patch.to}`,
      slug: slugOf(resource, 'request', patch.name, container),
      rationale: `The pods request ${patch.from} of ${resource} for container ${container}, more than any node can give, so they stay Pending. Set the request back to ${patch.to}.${extra ? ` ${extra}` : ''}`,
      risk: `Each pod reserves ${patch.to} of ${resource} again: if the new version really needs more, it competes for the node's spare ${resource}${resource === 'memory' ? ' and is among the first evicted under memory pressure' : ' and is throttled when the node is busy'}. The limit is unchanged. Changing the pod template restarts the pods (a rolling update); ${capacity(patch)}.`,
      rollback: revertRollback(`the pods request ${patch.from} again (and stay Pending).`),
      commands: [
        ...rolloutStatus(patch),
        getField(patch, field),
        `kubectl get pods${nsFlag(patch)} --field-selector=status.phase=Pending`,
      ],
    });
  },
};
