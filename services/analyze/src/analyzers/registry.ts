import type { ResourceRef } from '@sleuth/core';
import type { Analyzer, AnalysisContext } from './analyzer';
import { configReferenceAnalyzer } from './config-reference';
import { cpuThrottlingAnalyzer } from './cpu-throttling';
import type { Finding } from './finding';
import { hpaAnalyzer } from './hpa';
import { ingressAnalyzer } from './ingress';
import { jobAnalyzer } from './job';
import { networkPolicyAnalyzer } from './network-policy';
import { nodeAnalyzer } from './node';
import { pdbAnalyzer } from './pdb';
import { podAnalyzer } from './pod';
import { pvcAnalyzer } from './pvc';
import { rolloutAnalyzer } from './rollout';
import { serviceAnalyzer } from './service';
import { workloadAnalyzer } from './workload';

/** Every analyzer, keyed by its id: adding one is a file and an entry here. */
export const ANALYZERS = {
  pod: podAnalyzer,
  workload: workloadAnalyzer,
  service: serviceAnalyzer,
  ingress: ingressAnalyzer,
  pvc: pvcAnalyzer,
  node: nodeAnalyzer,
  hpa: hpaAnalyzer,
  pdb: pdbAnalyzer,
  job: jobAnalyzer,
  'network-policy': networkPolicyAnalyzer,
  'config-reference': configReferenceAnalyzer,
  rollout: rolloutAnalyzer,
  'cpu-throttling': cpuThrottlingAnalyzer,
} as const satisfies Record<string, Analyzer>;

export type AnalyzerId = keyof typeof ANALYZERS;

/** The analyzers that inspect a resource kind. */
export function analyzersFor(kind: string): Analyzer[] {
  return Object.values(ANALYZERS).filter((a) => a.kinds.includes(kind));
}

/** What one analyzer could not do: it threw, and the other analyzers still ran. */
export interface AnalyzerFailure {
  analyzer: string;
  error: string;
}

/**
 * Runs every analyzer of the resource's kind and gathers their findings, most confident first. An
 * analyzer that throws (a store error) is reported in `failures`, never stops the others.
 */
export async function analyzeResource(
  ref: ResourceRef,
  ctx: AnalysisContext,
): Promise<{ findings: Finding[]; failures: AnalyzerFailure[] }> {
  const findings: Finding[] = [];
  const failures: AnalyzerFailure[] = [];
  for (const a of analyzersFor(ref.kind)) {
    try {
      findings.push(...(await a.analyze(ref, ctx)));
    } catch (err) {
      failures.push({ analyzer: a.id, error: err instanceof Error ? err.message : String(err) });
    }
  }
  findings.sort((x, y) => y.confidence - x.confidence);
  return { findings, failures };
}
