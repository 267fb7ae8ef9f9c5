import { z } from 'zod';

/**
 * Why Sleuth declined to propose or push a fix. Every decline is a normal answer, not an error:
 * the recommendation shows `reason`, which says what is wrong and what a person can do about it.
 */
export const DeclineCode = z.enum([
  /** The root cause carries no `remediation.patch`. */
  'no-patch',
  /** No fixer handles this failure mode. */
  'no-fixer',
  /** The patch's kind, name, field or proposed value is not one this fixer accepts. */
  'invalid-patch',
  /** No manifest in the repository produces the object. */
  'not-found',
  /** More than one manifest produces the object. */
  'ambiguous',
  /**
   * The object comes from a Helm chart whose template does not take the field straight from a
   * values setting (a conditional, `default`, `tpl`, fixed text...), or whose name Sleuth cannot
   * evaluate.
   */
  'helm',
  /** The manifest's current value is not the live object's: the repo and the cluster disagree. */
  'drift',
  /** The manifest uses something Sleuth cannot edit safely yet (an alias, an inline patch...). */
  'unsupported',
  /** The edited manifest would not parse or validate. */
  'invalid-result',
  /** The change needs a decision a fixer must not take (lowering a request, a huge raise). */
  'needs-person',
  /** The fix branch exists on the remote with commits that are not Sleuth's. */
  'branch-conflict',
  /** The manifest already says what the fix would write. */
  'already-applied',
]);
export type DeclineCode = z.infer<typeof DeclineCode>;

export const Decline = z.object({
  declined: z.literal(true),
  code: DeclineCode,
  /** One or two sentences a person can act on. Never carries text from logs. */
  reason: z.string().min(1),
});
export type Decline = z.infer<typeof Decline>;

export function decline(code: DeclineCode, reason: string): Decline {
  return { declined: true, code, reason };
}

/** True for a Decline, so `if (isDecline(r)) return r;` narrows the other branch. */
export function isDecline(v: unknown): v is Decline {
  return typeof v === 'object' && v !== null && 'declined' in v && v.declined === true;
}
