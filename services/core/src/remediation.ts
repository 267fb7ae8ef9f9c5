import { z } from 'zod';
import { PullRequest } from './analysis';
import { EpochMsSchema } from './signals';

/** What asked for a fix: a person through the API, the CLI, or the auto-open policy. */
export const FixTrigger = z.enum(['api', 'cli', 'auto-open']);
export type FixTrigger = z.infer<typeof FixTrigger>;

/**
 * What one request to open a fix came to:
 * - `opened`: a branch (and, with a forge, a pull request) was created;
 * - `updated`: the incident's branch got a new commit (and its pull request a new body);
 * - `unchanged`: the branch already carried exactly this fix;
 * - `declined`: no fix (no patch, no fixer, the manifest not found, drift...), `reason` says why;
 * - `refused`: the policy does not allow this fix, `reason` says which rule;
 * - `failed`: git or the forge failed, `reason` says how (never a credential).
 */
export const FixOutcome = z.enum(['opened', 'updated', 'unchanged', 'declined', 'refused', 'failed']);
export type FixOutcome = z.infer<typeof FixOutcome>;

/**
 * One entry of the remediation audit log: who asked for which fix of which incident, and what came
 * of it. Append-only: entries are never changed or removed (retention keeps them).
 */
export const FixAction = z.object({
  id: z.string().min(1).max(200),
  incidentId: z.string().min(1).max(200),
  rootCauseId: z.string().min(1).max(200).optional(),
  atMs: EpochMsSchema,
  trigger: FixTrigger,
  /** Who asked: the API client (until sign-in exists, its address), the CLI user, or `sleuth`. */
  actor: z.string().min(1).max(500),
  /** What the person said about why, when they said anything. */
  note: z.string().max(1000).optional(),
  outcome: FixOutcome,
  provider: z.enum(['local', 'github', 'gitlab']),
  /** The repository, with any credential in its URL removed. */
  repo: z.string().max(2000).optional(),
  fixer: z.string().max(100).optional(),
  target: z
    .object({
      kind: z.string().min(1).max(63),
      name: z.string().min(1).max(253),
      namespace: z.string().max(253).optional(),
    })
    .optional(),
  field: z.string().max(1000).optional(),
  from: z.string().max(1000).optional(),
  to: z.string().max(1000).optional(),
  path: z.string().max(1000).optional(),
  branch: z.string().max(300).optional(),
  commit: z.string().max(64).optional(),
  pullRequest: PullRequest.optional(),
  /** A decline's or error's code (no-patch, drift, policy, git_failed, forge_failed...). */
  code: z.string().max(100).optional(),
  reason: z.string().max(2000).optional(),
});
export type FixAction = z.infer<typeof FixAction>;
