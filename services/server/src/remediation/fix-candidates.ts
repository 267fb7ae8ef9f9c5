import {
  NotFoundError,
  SleuthError,
  isSleuthError,
  type FixAction,
  type FixTrigger,
  type Incident,
  type PullRequest,
  type RootCause,
} from '@sleuth/core';
import { fixerFor, type RemediationProposal } from '@sleuth/remediate';
import type { RemediationSettings } from './settings';

/** A proposal as the API shows it: everything but the whole edited file. */
export type ShownProposal = Omit<RemediationProposal, 'content'>;

/** What Sleuth can do about one root cause of an incident. */
export interface FixCandidate {
  rootCauseId: string;
  rank: number;
  failureMode: string;
  fixer?: string;
  /** propose: a person opens it; auto-open: Sleuth opens it; absent when declined or refused. */
  policy?: 'propose' | 'auto-open';
  proposal?: ShownProposal;
  declined?: { code: string; reason: string };
}

/** `GET /incidents/{id}/fix`: the fix Sleuth would open, why not for the other causes, and what was opened. */
export interface IncidentFix {
  incidentId: string;
  provider: RemediationSettings['provider'];
  repo: string;
  /** The first root cause, by rank, with a fix the policy allows. */
  fix?: ShownProposal & { rootCauseId: string; policy: 'propose' | 'auto-open' };
  candidates: FixCandidate[];
  /** The incident's branch and pull request, once one was opened. */
  branch?: string;
  pullRequest?: PullRequest;
  /** The incident's audit log, newest first. */
  actions: FixAction[];
}

export interface OpenRequest {
  rootCauseId?: string;
  trigger: FixTrigger;
  actor: string;
  note?: string;
}

export interface OpenResult {
  action: FixAction;
  proposal: ShownProposal;
  branch: string;
  commit: string;
  pullRequest?: PullRequest;
}

/** Root causes looked at per incident, best ranked first. */
const MAX_CANDIDATES = 5;
const CLUSTER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

/**
 * A git or forge failure as the API answers it: 502 (Sleuth's upstream failed, whatever status
 * the forge gave, which is in `details.upstreamStatus`), retryable as the failure was.
 */
export function upstream(err: unknown): unknown {
  if (!isSleuthError(err) || (err.code !== 'git_failed' && err.code !== 'forge_failed')) return err;
  return new SleuthError(err.code, err.message, {
    statusCode: 502,
    retryable: err.retryable,
    details: { upstreamStatus: err.statusCode },
    cause: err,
  });
}

export function shown(p: RemediationProposal): ShownProposal {
  const { content: _content, ...rest } = p;
  return rest;
}

export function byRank(incident: Incident, rootCauseId: string | undefined): RootCause[] {
  const causes = [...incident.rootCauses].sort((a, b) => a.rank - b.rank);
  if (rootCauseId === undefined) return causes.slice(0, MAX_CANDIDATES);
  const rc = causes.find((c) => c.id === rootCauseId);
  if (!rc)
    throw new NotFoundError(
      `incident ${incident.id} has no root cause ${rootCauseId}; it has ${causes.map((c) => c.id).join(', ') || 'none yet'}`,
    );
  return [rc];
}

/** The repository config for a fix of an object in `cluster` (`{cluster}` in paths filled in). */
export function repoFor(s: RemediationSettings, cluster: string) {
  return { ...s.repo, paths: s.repo.paths.map((p) => p.replaceAll('{cluster}', cluster)) };
}

/** What stops a root cause from being fixed before the repository is read: no patch, no fixer, policy. */
export function precheck(
  s: RemediationSettings,
  rc: RootCause,
):
  | { declined: { code: string; reason: string }; fixer?: string }
  | { fixer: string; policy: 'propose' | 'auto-open' } {
  const patch = rc.remediation?.patch;
  if (!patch)
    return {
      declined: {
        code: 'no-patch',
        reason: `the analyzer proposes no manifest change for ${rc.failureMode}`,
      },
    };
  const fixer = fixerFor(rc.failureMode);
  if (!fixer) return { declined: { code: 'no-fixer', reason: `no fixer handles ${rc.failureMode} yet` } };
  if (s.repo.paths.some((p) => p.includes('{cluster}')) && !CLUSTER.test(rc.resource.cluster))
    return {
      declined: {
        code: 'invalid-patch',
        reason: 'the cause is in a cluster whose name is not a folder name',
      },
      fixer: fixer.id,
    };
  const decision = s.policy.decide(fixer.id, patch);
  if (!decision.allowed) return { declined: { code: 'policy', reason: decision.reason }, fixer: fixer.id };
  return { fixer: fixer.id, policy: decision.mode };
}
