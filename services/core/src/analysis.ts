import { z } from 'zod';
import { ResourceRef } from './resource';
import { EpochMsSchema } from './signals';

/** A pointer to the exact evidence behind a claim, resolvable through the query API. */
export const SignalRef = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('log'), ids: z.array(z.string()).max(100) }),
  z.object({
    kind: z.literal('series'),
    name: z.string(),
    labels: z.record(z.string(), z.string()),
    fromMs: EpochMsSchema,
    toMs: EpochMsSchema,
  }),
  z.object({ kind: z.literal('event'), ids: z.array(z.string()).max(100) }),
  z.object({
    kind: z.literal('object'),
    ref: ResourceRef,
    field: z.string().optional(),
    timeMs: EpochMsSchema,
  }),
  z.object({ kind: z.literal('trace'), traceId: z.string(), spanId: z.string().optional() }),
  z.object({ kind: z.literal('anomaly'), id: z.string() }),
  /** An alert Sleuth received (Alertmanager, Grafana, a generic webhook), by its id. */
  z.object({ kind: z.literal('alert'), id: z.string() }),
]);
export type SignalRef = z.infer<typeof SignalRef>;

export const Evidence = z.object({
  signal: SignalRef,
  summary: z.string().max(2000),
});
export type Evidence = z.infer<typeof Evidence>;

export const Anomaly = z.object({
  id: z.string(),
  detector: z.string(),
  resource: ResourceRef,
  signal: SignalRef,
  onsetMs: EpochMsSchema,
  lastSeenMs: EpochMsSchema,
  endMs: EpochMsSchema.optional(),
  score: z.number().min(0).max(1),
  title: z.string().max(500),
  explanation: z.string().max(4000),
  /**
   * Anomalies with the same group belong to one incident whatever the topology says: the alerts of
   * one Alertmanager notification group, which the team grouped on purpose.
   */
  group: z.string().max(200).optional(),
});
export type Anomaly = z.infer<typeof Anomaly>;

export const IncidentSeverity = z.enum(['critical', 'high', 'medium', 'low']);

/**
 * A minimal change to one field of one manifest that would address a root cause, for a fixer to
 * turn into a pull request. `from`/`to` are the field's current and proposed values as text.
 */
export const ManifestPatch = z.object({
  kind: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().optional(),
  /** A path in the manifest, e.g. `spec.template.spec.containers[name=api].resources.limits.memory`. */
  field: z.string().min(1),
  from: z.string(),
  to: z.string(),
  rationale: z.string(),
});
export type ManifestPatch = z.infer<typeof ManifestPatch>;

/** What a person can do about a root cause: steps in plain language and read-only kubectl to confirm. */
export const Remediation = z.object({
  steps: z.array(z.string()).min(1),
  /** kubectl commands that confirm the diagnosis; they read, never change the cluster. */
  commands: z.array(z.string()),
  patch: ManifestPatch.optional(),
});
export type Remediation = z.infer<typeof Remediation>;

export const RootCause = z.object({
  id: z.string(),
  failureMode: z.string(),
  resource: ResourceRef,
  hypothesis: z.string().max(2000),
  confidence: z.number().min(0).max(1),
  rank: z.number().int().positive(),
  evidence: z.array(Evidence),
  /** `rules` for the deterministic engine, `llm` for the investigator. */
  origin: z.enum(['rules', 'llm']),
  /** The steps, confirming commands and manifest change that would fix it (issue 8's input). */
  remediation: Remediation.optional(),
});
export type RootCause = z.infer<typeof RootCause>;

export const Incident = z.object({
  id: z.string(),
  title: z.string().max(500),
  status: z.enum(['open', 'resolved']),
  severity: IncidentSeverity,
  startMs: EpochMsSchema,
  updatedMs: EpochMsSchema,
  resolvedMs: EpochMsSchema.optional(),
  resources: z.array(ResourceRef),
  anomalyIds: z.array(z.string()),
  rootCauses: z.array(RootCause),
});
export type Incident = z.infer<typeof Incident>;

export const FixProposal = z.object({
  repo: z.string(),
  path: z.string(),
  patch: z.string(),
  rationale: z.string(),
  risk: z.string(),
  rollback: z.string(),
  verification: z.string(),
});
export type FixProposal = z.infer<typeof FixProposal>;

export const PullRequest = z.object({
  provider: z.enum(['github', 'gitlab']),
  url: z.string().url(),
  number: z.number().int().positive(),
  branch: z.string(),
  status: z.enum(['open', 'merged', 'closed']),
});
export type PullRequest = z.infer<typeof PullRequest>;

export const Recommendation = z.object({
  id: z.string(),
  incidentId: z.string(),
  rootCauseId: z.string().optional(),
  title: z.string().max(500),
  steps: z.array(z.string()),
  commands: z.array(z.string()),
  /** The one-field manifest change the analyzer proposes (what a fixer turns into a diff). */
  patch: ManifestPatch.optional(),
  fix: FixProposal.optional(),
  pullRequest: PullRequest.optional(),
});
export type Recommendation = z.infer<typeof Recommendation>;
