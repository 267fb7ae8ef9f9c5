import {
  NotFoundError,
  OverloadedError,
  SleuthError,
  isSleuthError,
  newId,
  type FixAction,
  type FixTrigger,
  type Incident,
  type Logger,
  type PullRequest,
  type RootCause,
} from '@sleuth/core';
import {
  fixerFor,
  isDecline,
  openFixBranch,
  openFixPullRequest,
  proposeFix,
  type RemediationProposal,
} from '@sleuth/remediate';
import type { Store } from '@sleuth/store';
import type { IncidentNotice } from '../incident-feed';
import type { RemediationSettings, RemediationUnavailable } from './settings';

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

export interface FixServiceDeps {
  store: Store;
  settings: RemediationSettings | RemediationUnavailable;
  logger: Logger;
  /** Sleuth's page for an incident, for pull request bodies. */
  incidentUrl: (id: string) => string;
  now?: () => number;
}

/** Root causes looked at per incident, best ranked first. */
const MAX_CANDIDATES = 5;
/** Requests waiting for the working clone before new ones get 429. */
const MAX_WAITING = 16;
const CLUSTER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

/**
 * A git or forge failure as the API answers it: 502 (Sleuth's upstream failed, whatever status
 * the forge gave, which is in `details.upstreamStatus`), retryable as the failure was.
 */
function upstream(err: unknown): unknown {
  if (!isSleuthError(err) || (err.code !== 'git_failed' && err.code !== 'forge_failed')) return err;
  return new SleuthError(err.code, err.message, {
    statusCode: 502,
    retryable: err.retryable,
    details: { upstreamStatus: err.statusCode },
    cause: err,
  });
}

function shown(p: RemediationProposal): ShownProposal {
  const { content: _content, ...rest } = p;
  return rest;
}

function byRank(incident: Incident, rootCauseId: string | undefined): RootCause[] {
  const causes = [...incident.rootCauses].sort((a, b) => a.rank - b.rank);
  if (rootCauseId === undefined) return causes.slice(0, MAX_CANDIDATES);
  const rc = causes.find((c) => c.id === rootCauseId);
  if (!rc)
    throw new NotFoundError(
      `incident ${incident.id} has no root cause ${rootCauseId}; it has ${causes.map((c) => c.id).join(', ') || 'none yet'}`,
    );
  return [rc];
}

/**
 * Proposes and opens fixes for incidents against the configured GitOps repository, with
 * `remediation.policy` applied and every request to open one recorded in the audit log. One
 * working clone: operations run one at a time, in arrival order. Also opens (and updates) the
 * fixes the policy marks auto-open once an incident's diagnosis holds still.
 */
export class FixService {
  private chain: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly deps: FixServiceDeps) {
    this.now = deps.now ?? Date.now;
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

  /** The repository config for a fix of an object in `cluster` (`{cluster}` in paths filled in). */
  private repoFor(s: RemediationSettings, cluster: string) {
    return { ...s.repo, paths: s.repo.paths.map((p) => p.replaceAll('{cluster}', cluster)) };
  }

  /** What stops a root cause from being fixed before the repository is read: no patch, no fixer, policy. */
  private precheck(
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

  /** The fix Sleuth proposes for an incident (read-only: fetches the repository, changes nothing). */
  async proposal(incidentId: string, rootCauseId?: string): Promise<IncidentFix> {
    const s = this.settings();
    const incident = await this.incident(incidentId);
    const causes = byRank(incident, rootCauseId);
    return this.serial(async () => {
      const candidates: FixCandidate[] = [];
      for (const rc of causes) {
        const base = { rootCauseId: rc.id, rank: rc.rank, failureMode: rc.failureMode };
        const pre = this.precheck(s, rc);
        if ('declined' in pre) {
          candidates.push({ ...base, ...(pre.fixer ? { fixer: pre.fixer } : {}), declined: pre.declined });
          continue;
        }
        const p = await proposeFix({
          incidentId,
          rootCause: rc,
          repo: this.repoFor(s, rc.resource.cluster),
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
    this.deps.logger.info(
      {
        incident: full.incidentId,
        outcome: full.outcome,
        trigger: full.trigger,
        actor: full.actor,
        branch: full.branch,
        pullRequest: full.pullRequest?.url,
        code: full.code,
      },
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
      const pre = this.precheck(s, rc);
      if ('declined' in pre) {
        reasons.push({ rootCauseId: rc.id, ...pre.declined });
        continue;
      }
      const input = {
        incidentId: incident.id,
        rootCause: rc,
        repo: this.repoFor(s, rc.resource.cluster),
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
    const s = this.deps.settings;
    if (this.stopped || 'unavailable' in s || !s.policy.autoOpens()) return;
    const pending = this.timers.get(n.id);
    if (pending) clearTimeout(pending);
    this.timers.delete(n.id);
    if (n.status !== 'open' || !n.topRootCause) return;
    const timer = setTimeout(() => {
      this.timers.delete(n.id);
      this.autoOpen(s, n.id).catch((err: unknown) =>
        this.deps.logger.warn({ err, incident: n.id }, 'auto-open of a fix failed'),
      );
    }, s.autoOpenDelayMs);
    timer.unref();
    this.timers.set(n.id, timer);
  }

  private async autoOpen(s: RemediationSettings, incidentId: string): Promise<void> {
    const incident = await this.deps.store.getIncident(incidentId);
    if (!incident || incident.status !== 'open') return;
    const rc = [...incident.rootCauses]
      .sort((a, b) => a.rank - b.rank)
      .find((c) => {
        const pre = this.precheck(s, c);
        return !('declined' in pre) && pre.policy === 'auto-open';
      });
    const patch = rc?.remediation?.patch;
    if (!rc || !patch) return;
    // One attempt per diagnosis: a request for the same change is not repeated (nor its decline).
    const seen = await this.deps.store.listFixActions({ incidentId, limit: 200 });
    if (
      seen.some(
        (a) =>
          a.rootCauseId === rc.id &&
          a.outcome !== 'failed' &&
          a.trigger === 'auto-open' &&
          this.sameChange(a, rc),
      )
    )
      return;
    await this.open(incidentId, {
      rootCauseId: rc.id,
      trigger: 'auto-open',
      actor: 'sleuth (remediation.policy.autoOpen)',
    }).catch((err: unknown) => {
      if (isSleuthError(err) && err.statusCode === 422) return; // recorded as declined or refused
      throw err;
    });
  }

  private sameChange(a: FixAction, rc: RootCause): boolean {
    const patch = rc.remediation?.patch;
    return patch !== undefined && a.field === patch.field && a.to === patch.to;
  }

  /** Waits for the operations under way (tests, shutdown). */
  async idle(): Promise<void> {
    await this.chain;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
