import { createHash } from 'node:crypto';
import type { Incident, ResourceRef } from '@sleuth/core';

/* How the correlator names, ranks and titles the incidents it makes. */

/** A stable id from the cluster and the anomaly that opened it. */
export function incidentId(cluster: string, firstAnomaly: string): string {
  return `inc_${createHash('sha256').update(`${cluster}\u0000${firstAnomaly}`).digest('hex').slice(0, 24)}`;
}

/** critical: a strong anomaly on 3 or more resources; high, medium, low by the strongest score. */
export function severityOf(maxScore: number, resources: number): Incident['severity'] {
  if (maxScore >= 0.8 && resources >= 3) return 'critical';
  if (maxScore >= 0.8) return 'high';
  if (maxScore >= 0.5) return 'medium';
  return 'low';
}

export const SEVERITY_RANK: Record<Incident['severity'], number> = {
  low: 0,
  medium: 1,
  high: 2,
  critical: 3,
};

/**
 * An incident's title from its top cause: the hypothesis's first sentence; for a localised
 * origin ("X is where the errors start: 3 anomalies in ..."), the part before the reasons.
 */
export function causeTitle(c: Incident['rootCauses'][number]): string | undefined {
  const text =
    c.failureMode === 'degradation-origin' ? c.hypothesis.split(': ')[0] : c.hypothesis.split('. ')[0];
  return text?.slice(0, 500);
}

export function sameRef(a: ResourceRef, b: ResourceRef): boolean {
  return a.cluster === b.cluster && a.namespace === b.namespace && a.kind === b.kind && a.name === b.name;
}
