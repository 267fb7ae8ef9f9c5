import {
  NotFoundError,
  OverloadedError,
  SleuthError,
  isSleuthError,
  newId,
  type FixAction,
  type Incident,
  type Logger,
  type PullRequest,
  type RootCause,
} from '@sleuth/core';
import { isDecline, openFixBranch, openFixPullRequest, proposeFix } from '@sleuth/remediate';
import type { Store } from '@sleuth/store';
import type { IncidentNotice } from '../incident-feed';
import { AutoOpener } from './auto-open';
import {
  byRank,
  precheck,
  repoFor,
  shown,
  upstream,
  type FixCandidate,
  type IncidentFix,
  type OpenRequest,
  type OpenResult,
} from './fix-candidates';
import type { RemediationSettings, RemediationUnavailable } from './settings';

export type { FixCandidate, IncidentFix, OpenRequest, OpenResult, ShownProposal } from './fix-candidates';

export interface FixServiceDeps {
  store: Store;
  settings: RemediationSettings | RemediationUnavailable;
  logger: Logger;
  /** Sleuth's page for an incident, for pull request bodies. */
  incidentUrl: (id: string) => string;
  now?: () => number;
}

/** Requests waiting for the working clone before new ones get 429. */
const MAX_WAITING = 16;

/**
 * Proposes and opens fixes for incidents against the configured GitOps repository, with
 * `remediation.policy` applied and every request to open one recorded in the audit log. One
 * working clone: operations run one at a time, in arrival order. Also opens (and updates) the
 * fixes the policy marks auto-open once an incident's diagnosis holds still.
 */
export class FixService {
  private chain: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private readonly now: () => number;
  private readonly autoOpener: AutoOpener | undefined;

  constructor(private readonly deps: FixServiceDeps) {
    this.now = deps.now ?? Date.now;
    const s = deps.settings;
    this.autoOpener =
      'unavailable' in s
        ? undefined
        : new AutoOpener({ fixes: this, store: deps.store, settings: s, logger: deps.logger });
  }

  /** The settings, or a 409 saying what to configure. */
  private settings(): RemediationSettings {
    const s = this.deps.settings;
    if ('unavailable' in s)
      throw new SleuthError('remediation_unavailable', s.unavailable, { statusCode: 409 });
    return s;
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    if (this.waiting >= MAX_WAITING)
      throw new OverloadedError(`${this.waiting} fix requests are waiting for the GitOps working clone`, 10);
    this.waiting++;
    const run = this.chain.then(task);
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run.finally(() => {
      this.waiting--;
    });
  }

  private async incident(id: string): Promise<Incident> {
    const incident = await this.deps.store.getIncident(id);
    if (!incident) throw new NotFoundError(`no incident ${id}`);
    return incident;
  }

  /** The fix Sleuth proposes for an incident (read-only: fetches the repository, changes nothing). */
  async proposal(incidentId: string, rootCauseId?: string): Promise<IncidentFix> {
    const s = this.settings();
    const incident = await this.incident(incidentId);
    const causes = byRank(incident, rootCauseId);
    return this.serial(async () => {
      const candidates: FixCandidate[] = [];
      for (const rc of causes) {
        const base = { rootCauseId: rc.id, rank: rc.rank, failureMode: rc.failureMode };
        const pre = precheck(s, rc);
        if ('declined' in pre) {
          candidates.push({ ...base, ...(pre.fixer ? { fixer: pre.fixer } : {}), declined: pre.declined });
          continue;
        }
        const p = await proposeFix({
          incidentId,
          rootCause: rc,
          repo: repoFor(s, rc.resource.cluster),
          workDir: s.workDir,
        }).catch((err: unknown) => {
          throw upstream(err);
        });
        candidates.push(
          isDecline(p)
            ? { ...base, fixer: pre.fixer, declined: { code: p.code, reason: p.reason } }
            : { ...base, fixer: pre.fixer, policy: pre.policy, proposal: shown(p) },
        );
      }
      const best = candidates.find((c) => c.proposal !== undefined);
      const actions = await this.deps.store.listFixActions({ incidentId, limit: 50 });
      const opened = actions.find(
        (a) => a.outcome === 'opened' || a.outcome === 'updated' || a.outcome === 'unchanged',
      );
      return {
        incidentId,
        provider: s.provider,
        repo: s.repoLabel,
        ...(best?.proposal && best.policy
          ? { fix: { ...best.proposal, rootCauseId: best.rootCauseId, policy: best.policy } }
          : {}),
        candidates,
        ...(opened?.branch ? { branch: opened.branch } : {}),
        ...(opened?.pullRequest ? { pullRequest: opened.pullRequest } : {}),
        actions,
      };
    });
  }

  private async record(action: Omit<FixAction, 'id' | 'atMs'>): Promise<FixAction> {
    const atMs = this.now();
    const full: FixAction = { id: newId('fix', atMs), atMs, ...action };
    await this.deps.store.appendFixAction(full);
    const { incidentId: incident, outcome, trigger, actor, branch, code } = full;
    const pullRequest = full.pullRequest?.url;
    this.deps.logger.info(
      { incident, outcome, trigger, actor, branch, pullRequest, code },
      'fix request recorded',
    );
    return full;
  }

  /**
   * Opens the incident's fix: the first root cause (by rank, or the one asked for) whose fix the
   * policy allows and the repository takes, on the branch `sleuth/<incident>-<slug>` and, with a
   * forge, as a pull request (updated when it is already open). Records the request in the audit
   * log whatever comes of it. Throws 422 when no cause can be fixed (the reasons in `details`),
   * 502 when git or the forge fails.
   */
  async open(incidentId: string, req: OpenRequest): Promise<OpenResult> {
    const s = this.settings();
    const incident = await this.incident(incidentId);
    const causes = byRank(incident, req.rootCauseId);
    return this.serial(() => this.openNow(s, incident, causes, req));
  }

  private async openNow(
    s: RemediationSettings,
    incident: Incident,
    causes: RootCause[],
    req: OpenRequest,
  ): Promise<OpenResult> {
    const who = {
      incidentId: incident.id,
      trigger: req.trigger,
      actor: req.actor,
      ...(req.note ? { note: req.note } : {}),
      provider: s.provider,
      repo: s.repoLabel,
    };
    const reasons: { rootCauseId: string; code: string; reason: string }[] = [];
    for (const rc of causes) {
      const pre = precheck(s, rc);
      if ('declined' in pre) {
        reasons.push({ rootCauseId: rc.id, ...pre.declined });
        continue;
      }
      const input = {
        incidentId: incident.id,
        rootCause: rc,
        repo: repoFor(s, rc.resource.cluster),
        workDir: s.workDir,
      };
      let result;
      try {
        result = s.forge
          ? await openFixPullRequest({
              ...input,
              forge: s.forge,
              incidentTitle: incident.title,
              incidentUrl: this.deps.incidentUrl(incident.id),
            })
          : await openFixBranch(input);
      } catch (err) {
        const e = isSleuthError(err) ? err : undefined;
        await this.record({
          ...who,
          rootCauseId: rc.id,
          fixer: pre.fixer,
          outcome: 'failed',
          code: e?.code ?? 'internal',
          reason: (e?.message ?? 'the fix could not be opened; the server log has the details').slice(
            0,
            2000,
          ),
        });
        throw upstream(err);
      }
      if (isDecline(result)) {
        reasons.push({ rootCauseId: rc.id, code: result.code, reason: result.reason });
        continue;
      }
      const p = result.proposal;
      const pullRequest: PullRequest | undefined =
        'pullRequest' in result ? (result.pullRequest as PullRequest) : undefined;
      const created = 'pullRequestCreated' in result ? result.pullRequestCreated : result.created;
      const action = await this.record({
        ...who,
        rootCauseId: rc.id,
        outcome: created ? 'opened' : result.changed ? 'updated' : 'unchanged',
        fixer: p.fixer,
        target: p.target,
        field: p.field,
        from: p.from,
        to: p.to,
        path: p.path,
        branch: result.branch,
        commit: result.commit,
        ...(pullRequest ? { pullRequest } : {}),
      });
      return {
        action,
        proposal: shown(p),
        branch: result.branch,
        commit: result.commit,
        ...(pullRequest ? { pullRequest } : {}),
      };
    }
    const refused = reasons.length > 0 && reasons.every((r) => r.code === 'policy');
    const summary =
      reasons.map((r) => `${r.rootCauseId}: ${r.reason}`).join('; ') ||
      `incident ${incident.id} has no root cause yet`;
    const only = causes.length === 1 ? causes[0] : undefined;
    const patch = only?.remediation?.patch;
    await this.record({
      ...who,
      ...(only ? { rootCauseId: only.id } : {}),
      ...(patch
        ? {
            target: {
              kind: patch.kind,
              name: patch.name,
              ...(patch.namespace ? { namespace: patch.namespace } : {}),
            },
            field: patch.field.slice(0, 1000),
            from: patch.from.slice(0, 1000),
            to: patch.to.slice(0, 1000),
          }
        : {}),
      outcome: refused ? 'refused' : 'declined',
      code: refused ? 'policy' : (reasons[0]?.code ?? 'no-root-cause'),
      reason: summary.slice(0, 2000),
    });
    throw new SleuthError(refused ? 'fix_refused' : 'fix_declined', `no fix was opened: ${summary}`, {
      statusCode: 422,
      details: { reasons },
    });
  }

  /**
   * Hears incident changes: an open incident whose top fix the policy marks auto-open gets it
   * opened once its diagnosis has held for `autoOpenDelayMs` (each change restarts the wait).
   */
  onNotice(n: IncidentNotice): void {
    this.autoOpener?.onNotice(n);
  }

  /** Waits for the operations under way (tests, shutdown). */
  async idle(): Promise<void> {
    await this.chain;
  }

  stop(): void {
    this.autoOpener?.stop();
  }
}
