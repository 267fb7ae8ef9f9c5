import { decline, isDecline } from '../decline';
import { scalarText } from '../field-path';
import type { Fixer } from './fixer';
import { nsFlag } from './kubectl';
import { analyzerRationale, checkField, checkTarget, intValue, MAX_RAISE } from './patch-values';
import { buildProposal, revertRollback, slugOf } from './proposal';

/** The most replicas a fixer proposes on its own. */
const MAX_REPLICAS = 1000;

/**
 * An autoscaler pinned at its ceiling under load: raises maxReplicas to the analyzer's value
 * (+50%). A raise of more than 4× needs a person.
 */
export const hpaMaxReplicasFixer: Fixer = {
  id: 'hpa-max-replicas',
  failureModes: ['hpa-at-max'],
  accepts(patch, field) {
    const bad =
      checkTarget(patch, ['HorizontalPodAutoscaler'], 'hpa-max-replicas') ??
      checkField(field, /^spec\.maxReplicas$/, 'spec.maxReplicas');
    if (bad) return bad;
    const to = intValue(patch.to, 'maxReplicas', 1, MAX_REPLICAS);
    if (isDecline(to)) return to;
    const from = intValue(patch.from, 'current maxReplicas', 1, MAX_REPLICAS);
    if (isDecline(from)) return from;
    if (to <= from) return decline('invalid-patch', `the proposed maxReplicas ${to} is not above ${from}`);
    if (to > from * MAX_RAISE)
      return decline(
        'needs-person',
        `raising maxReplicas from ${from} to ${to} is more than ${MAX_RAISE}×; a person should size it`,
      );
    return undefined;
  },
  propose(input) {
    const { patch, field, manifest } = input;
    const bad = hpaMaxReplicasFixer.accepts(patch, field);
    if (bad) return bad;
    const ns = nsFlag(patch);
    const ref = `HorizontalPodAutoscaler ${patch.namespace ? `${patch.namespace}/` : ''}${patch.name}`;
    const extra = analyzerRationale(patch, input.rootCause.origin);
    return buildProposal(input, {
      fixer: 'hpa-max-replicas',
      edits: [{ op: 'set', path: manifest.fieldPath, value: Number(patch.to) }],
      current: manifest.valueOf(field).value,
      same: (v, text) => scalarText(v) === text,
      title: `Raise maxReplicas of ${ref} from ${patch.from} to ${patch.to}`,
      slug: slugOf('hpa', patch.name, 'max-replicas'),
      rationale: `The autoscaler runs ${patch.from} replicas, its maximum, and would add more if allowed. Raise maxReplicas to ${patch.to}.${extra ? ` ${extra}` : ''}`,
      risk: `Up to ${patch.to} replicas may run: the cluster needs room for their requests (or the autoscaler adds pods that stay Pending), and what they call (databases, quotas) must take the extra load.`,
      rollback: revertRollback(`the autoscaler scales back down to ${patch.from} replicas at most.`),
      commands: [
        `kubectl get hpa ${patch.name}${ns}`,
        `kubectl describe hpa ${patch.name}${ns}`,
        `kubectl get pods${ns} --field-selector=status.phase=Pending`,
      ],
    });
  },
};
