import type { z } from 'zod';
import { Recommendation, type FixAction, type RootCause } from '@sleuth/core';

/**
 * A recommendation as the API and `sleuth diagnose` show it: the core `Recommendation`, with the
 * root cause's manifest `patch` (the change a fixer would turn into a pull request).
 */
export const ShownRecommendation = Recommendation;
export type ShownRecommendation = z.infer<typeof ShownRecommendation>;

function titleOf(rc: RootCause, steps: readonly string[]): string {
  const p = rc.remediation?.patch;
  const title = p
    ? `Change ${p.field} of ${p.kind} ${p.name} from ${p.from} to ${p.to}`
    : `${rc.failureMode} on ${rc.resource.kind} ${rc.resource.name}: ${steps[0] ?? 'investigate'}`;
  return title.length > 500 ? `${title.slice(0, 499)}…` : title;
}

function pullRequestOf(
  rootCauseId: string,
  actions: readonly FixAction[],
): Pick<ShownRecommendation, 'pullRequest'> {
  const opened = actions.find((a) => a.rootCauseId === rootCauseId && a.pullRequest !== undefined);
  return opened?.pullRequest ? { pullRequest: opened.pullRequest } : {};
}

/**
 * One recommendation per root cause that carries a remediation, in the causes' rank order: its
 * steps, its read-only kubectl commands, its manifest patch and, once one was opened for that
 * cause, its pull request (from the remediation audit log `actions`, newest first). Ids are
 * stable for the same incident and cause.
 */
export function recommendationsFor(
  incidentId: string,
  causes: readonly RootCause[],
  actions: readonly FixAction[] = [],
): ShownRecommendation[] {
  return [...causes]
    .sort((a, b) => a.rank - b.rank)
    .flatMap((rc) => {
      const r = rc.remediation;
      if (!r) return [];
      return [
        {
          id: `rec_${rc.id.replace(/^rc_/, '')}`,
          incidentId,
          rootCauseId: rc.id,
          title: titleOf(rc, r.steps),
          steps: r.steps,
          commands: r.commands,
          ...(r.patch ? { patch: r.patch } : {}),
          ...pullRequestOf(rc.id, actions),
        },
      ];
    });
}
