import { z } from 'zod';
import { Evidence, ResourceRef } from '@sleuth/core';

/**
 * A minimal change to one field of one manifest that would address the finding, for a fixer to
 * turn into a pull request. `from`/`to` are the field's current and proposed values as text.
 */
export const FindingPatch = z.object({
  kind: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().optional(),
  /** A path in the manifest, e.g. `spec.template.spec.containers[name=api].resources.limits.memory`. */
  field: z.string().min(1),
  from: z.string(),
  to: z.string(),
  rationale: z.string(),
});
export type FindingPatch = z.infer<typeof FindingPatch>;

/** What a person can do about a finding: steps in plain language and read-only kubectl to confirm. */
export const FindingRemediation = z.object({
  steps: z.array(z.string()).min(1),
  /** kubectl commands that confirm the diagnosis; they read, never change the cluster. */
  commands: z.array(z.string()),
  patch: FindingPatch.optional(),
});
export type FindingRemediation = z.infer<typeof FindingRemediation>;

/**
 * One failure mode an analyzer found on one resource, with the evidence behind it. Findings never
 * carry Secret values: only Secret names and key names.
 */
export const Finding = z.object({
  /** The analyzer's id (a key of ANALYZERS). */
  analyzer: z.string().min(1),
  resource: ResourceRef,
  /** A stable id of the failure mode, e.g. `crash-loop`, `oom-killed`, `missing-backend-service`. */
  failureMode: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  title: z.string().min(1).max(500),
  /** What is wrong and why, in plain language. */
  explanation: z.string().min(1).max(4000),
  /** Pointers to the exact log lines, events, object fields and series windows behind the claim. */
  evidence: z.array(Evidence).min(1),
  confidence: z.number().min(0).max(1),
  remediation: FindingRemediation.optional(),
});
export type Finding = z.infer<typeof Finding>;
