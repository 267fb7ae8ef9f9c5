import type { ResourceRef } from '@sleuth/core';
import type { Analyzer, AnalysisContext } from './analyzer';
import type { Finding } from './finding';
import { matchesSelector, selectorText } from './label-selector';
import { at, condition, fieldEvidence, nsFlag, num, stringMap } from './object-fields';

/**
 * PodDisruptionBudgets that block voluntary disruptions (drains, node upgrades): no disruption is
 * allowed because pods they cover are already unavailable, or because the budget can never allow
 * one (minAvailable equal to the pod count, maxUnavailable 0).
 */
export const pdbAnalyzer: Analyzer = {
  id: 'pdb',
  kinds: ['PodDisruptionBudget'],
  async analyze(ref: ResourceRef, ctx: AnalysisContext): Promise<Finding[]> {
    const pdb = await ctx.object(ref);
    if (!pdb) return [];
    const allowed = num(at(pdb.object, 'status.disruptionsAllowed'));
    const expected = num(at(pdb.object, 'status.expectedPods')) ?? 0;
    if (allowed !== 0 || expected === 0) return [];
    const healthy = num(at(pdb.object, 'status.currentHealthy')) ?? 0;
    const desired = num(at(pdb.object, 'status.desiredHealthy')) ?? 0;
    const selector = at(pdb.object, 'spec.selector');
    const pods = (await ctx.objects(ref.cluster, 'Pod', ref.namespace)).filter((p) =>
      matchesSelector(stringMap(at(p.object, 'metadata.labels')), selector),
    );
    const unready = pods.filter((p) => condition(p.object, 'Ready')?.['status'] !== 'True');
    const budget =
      at(pdb.object, 'spec.minAvailable') !== undefined
        ? `minAvailable ${String(at(pdb.object, 'spec.minAvailable'))}`
        : `maxUnavailable ${String(at(pdb.object, 'spec.maxUnavailable'))}`;
    const commands = [
      `kubectl get pdb ${ref.name}${nsFlag(ref)} -o wide`,
      `kubectl get pods -l ${selectorText(selector)}${nsFlag(ref)}`,
    ];
    const evidence = [
      fieldEvidence(
        pdb,
        'status.disruptionsAllowed',
        `0 disruptions allowed; ${healthy} healthy of ${expected}, ${desired} required`,
      ),
      ...unready
        .slice(0, 5)
        .map((p) => fieldEvidence(p, 'status.conditions[type=Ready]', `pod ${p.ref.name} not ready`)),
    ];
    if (healthy < expected) {
      return [
        {
          analyzer: 'pdb',
          resource: ref,
          failureMode: 'pdb-blocking',
          title: `PDB ${ref.name} blocks all evictions: ${expected - healthy} of ${expected} pods already unavailable`,
          explanation: `With ${budget}, the budget needs ${desired} healthy pods and only ${healthy} are, so no pod may be evicted: node drains and upgrades hang until the unavailable pods${
            unready.length > 0
              ? ` (${unready
                  .map((p) => p.ref.name)
                  .slice(0, 5)
                  .join(', ')})`
              : ''
          } recover.`,
          evidence,
          confidence: 0.85,
          remediation: {
            steps: [
              'Fix the unavailable pods first; only if a drain must proceed now, relax the budget temporarily.',
            ],
            commands,
          },
        },
      ];
    }
    return [
      {
        analyzer: 'pdb',
        resource: ref,
        failureMode: 'pdb-disallows-disruption',
        title: `PDB ${ref.name} can never allow an eviction (${budget} with ${expected} pods)`,
        explanation: `All ${expected} pods are healthy, yet ${budget} leaves no room to evict any of them, so every node drain covering these pods will hang.`,
        evidence,
        confidence: 0.8,
        remediation: {
          steps: [
            'Lower minAvailable below the replica count (or set maxUnavailable to 1), or run more replicas.',
          ],
          commands,
        },
      },
    ];
  },
};
