import type { Anomaly, Incident, Logger } from '@sleuth/core';
import {
  Correlator,
  StoreContext,
  TopologySource,
  diagnoseIncident,
  type StoreContextOptions,
} from '@sleuth/analyze';
import type { Store } from '@sleuth/store';

/** Open incidents are diagnosed again at most this often (wall clock): analyzers read the store. */
const REDIAGNOSE_MS = 15_000;
const MAX_TRACKED = 5_000;

/**
 * What happens to anomalies after detection in `sleuth serve`: the correlator groups them into
 * incidents, the analyzers diagnose each open incident (ranked root causes with evidence), and
 * every changed incident is written to the store. Diagnosis runs again as the incident grows
 * and on ticks, at most every 15 s per incident.
 */
export class IncidentPipeline {
  private readonly topology: TopologySource;
  private readonly correlator: Correlator;
  private readonly diagnosedAt = new Map<string, number>();
  /**
   * The newest signal time detection has reached: incidents are analyzed as of it, so a leak
   * that keeps climbing after its first anomaly is seen climbing (an incident's own `updatedMs`
   * moves only when its anomalies do).
   */
  private signalNowMs = -Infinity;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    /**
     * The clock re-diagnosis intervals and the topology's window of traced calls are measured on;
     * a stepped run passes its own.
     */
    private readonly clock: () => number = Date.now,
    /** How analyzers read beyond the store (a Prometheus to pull pods' series from). */
    private readonly analysis: StoreContextOptions = {},
  ) {
    this.topology = new TopologySource(store);
    this.correlator = new Correlator((cluster) => this.topology.graph(cluster, this.clock()));
  }

  /** Takes back the incidents that were open when the server stopped. */
  async start(): Promise<void> {
    await this.correlator.restore(await this.store.listIncidents({ status: 'open', limit: 1000 }));
  }

  /**
   * Correlates anomalies into incidents, diagnoses those due and writes them; returns the
   * incidents that changed. Calls (from detection, from alert receivers) run one at a time.
   */
  anomalies(anomalies: readonly Anomaly[]): Promise<Incident[]> {
    return this.serially(async () => {
      const changed = await this.diagnose(await this.correlator.observe(anomalies));
      for (const inc of changed) if (inc.status !== 'open') this.diagnosedAt.delete(inc.id);
      await this.write(changed);
      return changed;
    });
  }

  tick(nowMs: number): Promise<void> {
    return this.serially(async () => {
      this.signalNowMs = Math.max(this.signalNowMs, nowMs);
      const resolved = this.correlator.tick(nowMs);
      for (const inc of resolved) this.diagnosedAt.delete(inc.id);
      await this.write([...resolved, ...(await this.diagnose(this.correlator.openIncidents(), true))]);
    });
  }

  private queue: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every call before it has finished, so the correlator sees one change at a time. */
  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Diagnoses the open incidents due for it; `onlyDiagnosed` leaves out the rest. */
  private async diagnose(incidents: Incident[], onlyDiagnosed = false): Promise<Incident[]> {
    const out: Incident[] = [];
    for (const inc of incidents) {
      const last = this.diagnosedAt.get(inc.id) ?? 0;
      if (inc.status !== 'open' || this.clock() - last < REDIAGNOSE_MS) {
        if (!onlyDiagnosed) out.push(inc);
        continue;
      }
      this.diagnosedAt.delete(inc.id);
      this.diagnosedAt.set(inc.id, this.clock());
      if (this.diagnosedAt.size > MAX_TRACKED) {
        const oldest = this.diagnosedAt.keys().next().value;
        if (oldest !== undefined) this.diagnosedAt.delete(oldest);
      }
      try {
        const cluster = inc.resources[0]?.cluster;
        const graph = cluster
          ? await this.topology.graph(cluster, this.clock()).catch(() => undefined)
          : undefined;
        const causes = await diagnoseIncident(
          inc,
          new StoreContext(
            this.store,
            this.topology,
            Math.max(inc.updatedMs, this.signalNowMs),
            this.analysis,
          ),
          graph,
        );
        // Once the trouble is over the analyzers may find nothing left to explain: the incident
        // keeps the last ranking it had, the explanation of what happened.
        const kept = causes.length === 0 && inc.rootCauses.length > 0 ? inc.rootCauses : causes;
        out.push(this.correlator.attachRootCauses(inc.id, kept) ?? inc);
      } catch (err) {
        this.logger.error({ err, incident: inc.id }, 'diagnosing an incident failed');
        if (!onlyDiagnosed) out.push(inc);
      }
    }
    return out;
  }

  private written?: (incident: Incident, before: Incident | undefined) => void;

  /**
   * Calls `listener` after each incident write with the state it replaced (undefined for a new
   * incident): how the live stream hears of changes. One listener; a later call replaces it.
   */
  onIncidentWritten(listener: (incident: Incident, before: Incident | undefined) => void): void {
    this.written = listener;
  }

  private async write(incidents: Incident[]): Promise<void> {
    for (const incident of incidents) {
      const before = this.written ? await this.store.getIncident(incident.id) : undefined;
      await this.store.putIncident(incident);
      this.written?.(incident, before);
    }
  }
}
