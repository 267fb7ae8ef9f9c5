import { isSleuthError, type FixAction, type Logger, type RootCause } from '@sleuth/core';
import type { Store } from '@sleuth/store';
import type { IncidentNotice } from '../incident-feed';
import { precheck } from './fix-candidates';
import type { FixService } from './fix-service';
import type { RemediationSettings } from './settings';

export interface AutoOpenDeps {
  fixes: Pick<FixService, 'open'>;
  store: Store;
  settings: RemediationSettings;
  logger: Logger;
}

/**
 * `remediation.policy.autoOpen`: opens (and updates) an incident's fix by itself, once per change
 * of diagnosis, when its best-ranked fixable cause's fixer is marked auto-open.
 */
export class AutoOpener {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly deps: AutoOpenDeps) {}

  /**
   * Hears incident changes: an open incident whose top fix the policy marks auto-open gets it
   * opened once its diagnosis has held for `autoOpenDelayMs` (each change restarts the wait).
   */
  onNotice(n: IncidentNotice): void {
    const s = this.deps.settings;
    if (this.stopped || !s.policy.autoOpens()) return;
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
        const pre = precheck(s, c);
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
    await this.deps.fixes
      .open(incidentId, {
        rootCauseId: rc.id,
        trigger: 'auto-open',
        actor: 'sleuth (remediation.policy.autoOpen)',
      })
      .catch((err: unknown) => {
        if (isSleuthError(err) && err.statusCode === 422) return; // recorded as declined or refused
        throw err;
      });
  }

  private sameChange(a: FixAction, rc: RootCause): boolean {
    const patch = rc.remediation?.patch;
    return patch !== undefined && a.field === patch.field && a.to === patch.to;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
