import { createHash } from 'node:crypto';
import { NotFoundError, type Incident, type Investigation, type Logger } from '@sleuth/core';
import type { Investigator } from '@sleuth/analyze';
import type { Store } from '@sleuth/store';
import type { IncidentNotice } from '../incident-feed';

type IncidentSeverity = Incident['severity'];
const SEVERITY_RANK: Record<IncidentSeverity, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const QUESTION = 'Why did this incident happen, on what evidence, and what should be done?';
/** An incident whose evidence keeps changing is investigated again automatically at most this often. */
const AUTO_REPEAT_MS = 10 * 60_000;
const MAX_TRACKED = 10_000;

export interface InvestigationsDeps {
  store: Store;
  investigator: Pick<Investigator, 'llmConfigured' | 'promptsFor' | 'investigate'>;
  logger: Logger;
  /** Incidents at least this severe are investigated when they open or change; `off`: never. */
  autoSeverity: IncidentSeverity | 'off';
  /** Investigations running at once; automatic ones beyond it wait their turn. */
  maxConcurrent?: number;
  clock?: () => number;
}

/**
 * LLM investigations of incidents: on demand (`investigate`) and automatically for incidents at
 * least `autoSeverity` when they open, reopen or their evidence changes (at most every ten
 * minutes per incident), when an LLM is configured. One
 * investigation per incident state: the key is the incident's anomalies, ranked causes and status,
 * plus the prompts' fingerprint, so the same question about the same evidence is answered once,
 * and a prompt or evidence change asks again. Stored, so answers survive restarts.
 */
export class Investigations {
  private readonly running = new Map<string, Promise<Investigation>>();
  private readonly waiting: (() => void)[] = [];
  private active = 0;
  private readonly clock: () => number;
  private stopped = false;
  private readonly autoAt = new Map<string, number>();

  constructor(private readonly deps: InvestigationsDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  /** Feed listener: starts an automatic investigation when warranted; never throws. */
  onNotice(n: IncidentNotice): void {
    const { autoSeverity, investigator } = this.deps;
    if (this.stopped || autoSeverity === 'off' || !investigator.llmConfigured) return;
    if (n.status !== 'open' || SEVERITY_RANK[n.severity] > SEVERITY_RANK[autoSeverity]) return;
    if (n.change !== 'opened' && n.change !== 'updated' && n.change !== 'reopened') return;
    // New anomalies arrive every few seconds while an incident grows: one answer per ten minutes,
    // and the on-demand endpoint for anything fresher.
    const last = this.autoAt.get(n.id);
    const now = this.clock();
    if (n.change === 'updated' && last !== undefined && now - last < AUTO_REPEAT_MS) return;
    this.autoAt.delete(n.id);
    this.autoAt.set(n.id, now);
    if (this.autoAt.size > MAX_TRACKED) {
      const oldest = this.autoAt.keys().next().value;
      if (oldest !== undefined) this.autoAt.delete(oldest);
    }
    void this.investigate(n.id).catch((err: unknown) =>
      this.deps.logger.warn({ err, incident: n.id }, 'automatic investigation failed'),
    );
  }

  /** The newest stored investigation of an incident. */
  async latest(incidentId: string): Promise<Investigation | undefined> {
    return (await this.deps.store.listInvestigations(incidentId, { limit: 1 }))[0];
  }

  /**
   * Investigates the incident in its current state, or returns the stored investigation of that
   * state (or the one running). Rejects with NotFoundError for an unknown incident.
   */
  async investigate(incidentId: string): Promise<Investigation> {
    const incident = await this.deps.store.getIncident(incidentId);
    if (!incident) throw new NotFoundError(`no incident ${incidentId}`);
    const prompts = this.deps.investigator.promptsFor('incident');
    const stateKey = stateKeyOf(incident);
    const id = `${incidentId}:${stateKey}:${prompts.fingerprint}`;
    const inflight = this.running.get(id);
    if (inflight) return inflight;
    const stored = await this.deps.store.getInvestigation(id);
    if (stored && stored.status !== 'running') return stored;
    const run = this.run(id, incident, stateKey, prompts.fingerprint).finally(() => this.running.delete(id));
    this.running.set(id, run);
    return run;
  }

  stop(): void {
    this.stopped = true;
  }

  private async run(
    id: string,
    incident: Incident,
    stateKey: string,
    fingerprint: string,
  ): Promise<Investigation> {
    await this.slot();
    try {
      const started = this.clock();
      const base: Investigation = {
        id,
        incidentId: incident.id,
        stateKey,
        promptFingerprint: fingerprint,
        status: 'running',
        createdMs: started,
        updatedMs: started,
      };
      await this.deps.store.putInvestigation(base);
      const record = await this.deps.investigator.investigate({
        mode: 'incident',
        question: QUESTION,
        incident,
        causes: incident.rootCauses,
        subject: `incident "${incident.title}"`,
        nowMs: incident.updatedMs,
      });
      const done: Investigation = { ...base, status: 'done', record, updatedMs: this.clock() };
      try {
        await this.deps.store.putInvestigation(done);
      } catch (err) {
        // A record the store refuses must not leave the investigation "running" for ever.
        const message = err instanceof Error ? err.message : String(err);
        await this.deps.store.putInvestigation({
          ...base,
          status: 'failed',
          error: message.slice(0, 2000),
          updatedMs: this.clock(),
        });
        throw err;
      }
      if (record.fallbackReason)
        this.deps.logger.warn(
          { incident: incident.id, reason: record.fallbackReason },
          'investigation fell back to the rules',
        );
      return done;
    } finally {
      this.release();
    }
  }

  private async slot(): Promise<void> {
    if (this.active < (this.deps.maxConcurrent ?? 2)) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.();
  }
}

/** What the investigation's answer depends on: the incident's anomalies, ranked causes and status. */
export function stateKeyOf(i: Incident): string {
  const h = createHash('sha256');
  h.update(i.status);
  for (const a of [...i.anomalyIds].sort()) h.update(`a:${a}`);
  for (const c of i.rootCauses)
    h.update(`c:${c.rank}:${c.failureMode}:${c.resource.kind}/${c.resource.name}`);
  return h.digest('hex').slice(0, 16);
}
