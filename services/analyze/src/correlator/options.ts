/** How the correlator groups anomalies into incidents and when incidents end. */
export interface CorrelatorOptions {
  /** An anomaly starting this long after an incident's last activity starts a new incident. */
  joinWindowMs: number;
  /** An incident resolves when all its anomalies have ended and none came for this long. */
  resolveAfterMs: number;
  /** A resolved incident whose units show trouble again within this long is reopened. */
  reopenWindowMs: number;
  /** Incidents kept in memory (open and recently resolved); the oldest resolved go first. */
  maxIncidents: number;
  /**
   * Detectors whose anomalies are facts about object state (a pod in CrashLoopBackOff, a Warning
   * event): one opens an incident by itself.
   */
  opensAlone: readonly string[];
  /**
   * Any other anomaly opens an incident only when corroborated: a second anomaly on the same or
   * a neighbouring unit whose onset is within this long of it, both scoring at least
   * `corroboratedScore`. Until then it waits (anomalies stay visible in the anomaly API); it
   * joins an open incident it touches at once.
   */
  corroborateWindowMs: number;
  corroboratedScore: number;
  /**
   * Detectors whose anomalies end on an authoritative signal that already waited out its own
   * hysteresis (an alert's resolved notification): an incident made only of them resolves when
   * the last one ends, not `resolveAfterMs` later.
   */
  endsAtOnce: readonly string[];
}

export const DEFAULT_CORRELATOR_OPTIONS: CorrelatorOptions = {
  joinWindowMs: 15 * 60_000,
  resolveAfterMs: 5 * 60_000,
  reopenWindowMs: 30 * 60_000,
  maxIncidents: 5_000,
  opensAlone: ['k8s-state', 'k8s-events', 'alert'],
  corroborateWindowMs: 3 * 60_000,
  corroboratedScore: 0.5,
  endsAtOnce: ['alert'],
};
