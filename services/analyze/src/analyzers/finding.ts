import { z } from 'zod';
import { Evidence, ManifestPatch, Remediation, ResourceRef } from '@sleuth/core';

/** A manifest change that would address a finding (the core `ManifestPatch`). */
export const FindingPatch = ManifestPatch;
export type FindingPatch = ManifestPatch;

/** What a person can do about a finding (the core `Remediation`). */
export const FindingRemediation = Remediation;
export type FindingRemediation = Remediation;

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
