import { getJson, sendJson, type RequestOptions } from './http';
import type { OpenFixResult } from './detail-types';
import type { IncidentFix } from './types';

const fixPath = (incidentId: string) => `/incidents/${encodeURIComponent(incidentId)}/fix`;

/**
 * `GET /incidents/{id}/fix`: the fix Sleuth proposes (diff, rationale, risk, rollback,
 * verification), why the other causes have none, the branch or pull request once opened, and the
 * audit log. Rejects with an ApiError 409 when no repository is configured, 404 for an unknown
 * incident or root cause.
 */
export function getFix(
  incidentId: string,
  rootCauseId?: string,
  opts?: RequestOptions,
): Promise<IncidentFix> {
  return getJson<IncidentFix>(fixPath(incidentId), { rootCause: rootCauseId }, opts);
}

/**
 * `POST /incidents/{id}/fix/pull-request`: opens (or updates) the incident's fix. Resolves with
 * the result when a branch or pull request was opened, updated or already carried the fix
 * (`action.outcome`); rejects with an ApiError: 422 `fix_declined` / `fix_refused` (the reasons in
 * `details.reasons`), 502 `git_failed` / `forge_failed`, 429 when too many requests wait.
 */
export function openPullRequest(
  incidentId: string,
  body: { rootCauseId?: string; note?: string } = {},
  opts?: RequestOptions,
): Promise<OpenFixResult> {
  return sendJson<OpenFixResult>('POST', `${fixPath(incidentId)}/pull-request`, body, opts);
}
