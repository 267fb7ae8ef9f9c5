/**
 * What a request to open a fix came to, as a sentence a person can act on: the pull request or
 * branch opened or updated, why no fix was opened (each cause's reason), a forge failure, or a
 * busy server.
 */
import { ApiError, describeError } from '../../lib/api/http';
import type { FixDeclineDetails, OpenFixResult } from '../../lib/api/detail-types';
import type { FixAction, PullRequest } from '../../lib/api/types';

export interface OpenOutcome {
  tone: 'ok' | 'warning' | 'error';
  title: string;
  detail?: string;
  pullRequest?: PullRequest;
  reasons?: FixDeclineDetails['reasons'];
}

function where(r: { branch: string; pullRequest?: PullRequest | undefined }): string {
  return r.pullRequest ? `pull request #${r.pullRequest.number}` : `branch ${r.branch}`;
}

/** A 201 (opened) or 200 (updated, unchanged) answer. */
export function describeOpenResult(r: OpenFixResult): OpenOutcome {
  const pr = r.pullRequest ? { pullRequest: r.pullRequest } : {};
  switch (r.action.outcome) {
    case 'opened':
      return {
        tone: 'ok',
        title: `Opened ${where(r)}`,
        detail: r.pullRequest
          ? `${r.proposal.title} (branch ${r.branch}, commit ${r.commit.slice(0, 12)})`
          : `${r.proposal.title} (commit ${r.commit.slice(0, 12)}); the ${r.action.provider} provider pushes a branch without a pull request.`,
        ...pr,
      };
    case 'updated':
      return {
        tone: 'ok',
        title: `Updated ${where(r)}`,
        detail: `New commit ${r.commit.slice(0, 12)}: ${r.proposal.title}`,
        ...pr,
      };
    case 'unchanged':
      return {
        tone: 'ok',
        title: `${where(r)} already carries this fix`,
        detail: 'Nothing to change.',
        ...pr,
      };
    default:
      return { tone: 'warning', title: `No fix opened (${r.action.outcome})`, detail: r.action.reason ?? '' };
  }
}

function isDecline(d: unknown): d is FixDeclineDetails {
  return typeof d === 'object' && d !== null && Array.isArray((d as { reasons?: unknown }).reasons);
}

/** A rejected request: 422 declined or refused, 502 git or forge failure, 429 busy, anything else. */
export function describeOpenError(err: unknown): OpenOutcome {
  if (!(err instanceof ApiError))
    return { tone: 'error', title: 'Could not open the fix', detail: describeError(err) };
  if (err.status === 422) {
    return {
      tone: 'warning',
      title:
        err.code === 'fix_refused' ? 'The remediation policy refuses this fix' : 'No fix could be opened',
      detail: err.message,
      ...(isDecline(err.details) ? { reasons: err.details.reasons } : {}),
    };
  }
  if (err.status === 502) {
    const upstream = (err.details as { upstreamStatus?: number } | undefined)?.upstreamStatus;
    return {
      tone: 'error',
      title: err.code === 'forge_failed' ? 'The git forge failed' : 'Git failed',
      detail: `${err.message}${upstream ? ` (the forge answered ${upstream})` : ''}. Try again; the audit log records the failure.`,
    };
  }
  if (err.status === 429) {
    const wait = err.retryAfterSeconds ? ` Try again in ${err.retryAfterSeconds} s.` : ' Try again shortly.';
    return { tone: 'warning', title: 'Sleuth is busy with other fixes', detail: `${err.message}.${wait}` };
  }
  return { tone: 'error', title: 'Could not open the fix', detail: describeError(err) };
}

/** One audit-log entry's result in a few words. */
export function actionSummary(a: FixAction): string {
  const target = a.pullRequest
    ? `pull request #${a.pullRequest.number}`
    : a.branch
      ? `branch ${a.branch}`
      : '';
  switch (a.outcome) {
    case 'opened':
    case 'updated':
      return `${a.outcome} ${target}`.trim();
    case 'unchanged':
      return `${target || 'fix'} already up to date`;
    default:
      return `${a.outcome}${a.code ? ` (${a.code})` : ''}${a.reason ? `: ${a.reason}` : ''}`;
  }
}
