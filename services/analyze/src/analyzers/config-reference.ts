import type { Evidence, ResourceRef } from '@sleuth/core';
import type { Analyzer, AnalysisContext } from './analyzer';
import { configRefs, keyNames, type ConfigRef } from './config-refs';
import type { Finding } from './finding';
import { fieldEvidence, nsFlag, rec } from './object-fields';

/**
 * ConfigMaps and Secrets that pods need but that do not exist, or lack a key a pod reads (only
 * required references count: an `optional` one is not a fault). Works on a reference to an object
 * that was never collected: the pods that name it are found through the topology. Names only:
 * Secret values are never read.
 */
export const configReferenceAnalyzer: Analyzer = {
  id: 'config-reference',
  kinds: ['ConfigMap', 'Secret'],
  async analyze(ref: ResourceRef, ctx: AnalysisContext): Promise<Finding[]> {
    if (ref.kind !== 'ConfigMap' && ref.kind !== 'Secret') return [];
    const kind = ref.kind;
    const edge = kind === 'ConfigMap' ? 'uses_configmap' : 'uses_secret';
    const target = await ctx.object(ref);
    const keys = target ? keyNames(target) : new Set<string>();
    const users: { pod: string; refs: ConfigRef[]; evidence: Evidence[] }[] = [];
    for (const n of (await ctx.neighbours(ref)).dependents) {
      if (n.kind !== edge || n.ref.kind !== 'Pod') continue;
      const pod = await ctx.object(n.ref);
      if (!pod) continue;
      const refs = configRefs(rec(pod.object['spec'])).filter(
        (r) =>
          r.kind === kind &&
          r.name === ref.name &&
          !r.optional &&
          (!target || (r.key !== undefined && !keys.has(r.key))),
      );
      if (refs.length === 0) continue;
      users.push({
        pod: pod.ref.name,
        refs,
        evidence: refs
          .slice(0, 3)
          .map((r) =>
            fieldEvidence(
              pod,
              r.field,
              `pod ${pod.ref.name} reads ${kind} ${ref.name}${r.key ? ` key ${r.key}` : ''}`,
            ),
          ),
      });
    }
    if (users.length === 0) return [];
    const pods = users.map((u) => u.pod);
    const podsText = `${pods.slice(0, 5).join(', ')}${pods.length > 5 ? ` and ${pods.length - 5} more` : ''}`;
    const evidence = users.slice(0, 5).flatMap((u) => u.evidence);
    // describe lists a Secret's keys and sizes, never its values.
    const commands = [`kubectl describe ${kind.toLowerCase()} ${ref.name}${nsFlag(ref)}`];
    if (!target) {
      return [
        {
          analyzer: 'config-reference',
          resource: ref,
          failureMode: kind === 'ConfigMap' ? 'missing-configmap' : 'missing-secret',
          title: `${kind} ${ref.name} is missing but ${pods.length} pod${pods.length === 1 ? ' needs' : 's need'} it`,
          explanation: `Pods ${podsText} read ${kind} ${ref.name} (not marked optional), and it does not exist in namespace ${ref.namespace ?? '?'}. Their containers cannot start (CreateContainerConfigError) or their volumes cannot mount until it is created.`,
          evidence,
          confidence: 0.9,
          remediation: {
            steps: [
              `Create ${kind} ${ref.name} in namespace ${ref.namespace ?? '?'} (check the manifest or secret store that should provide it), or fix the name in the pod template.`,
            ],
            commands: [`kubectl get ${kind.toLowerCase()}${nsFlag(ref)}`],
          },
        },
      ];
    }
    const missingKeys = [...new Set(users.flatMap((u) => u.refs.map((r) => r.key ?? '')))];
    return [
      {
        analyzer: 'config-reference',
        resource: ref,
        failureMode: 'missing-key',
        title: `${kind} ${ref.name} lacks key${missingKeys.length === 1 ? '' : 's'} ${missingKeys.join(', ')} that pods read`,
        explanation: `Pods ${podsText} read key${missingKeys.length === 1 ? '' : 's'} ${missingKeys.join(', ')} of ${kind} ${ref.name}, which holds only ${[...keys].join(', ') || 'no keys'}. Containers reading it through env cannot start; a volume item for it fails to mount.`,
        evidence,
        confidence: 0.9,
        remediation: {
          steps: [
            `Add ${missingKeys.join(', ')} to ${kind} ${ref.name}, or correct the key name in the pod template.`,
          ],
          commands,
        },
      },
    ];
  },
};
