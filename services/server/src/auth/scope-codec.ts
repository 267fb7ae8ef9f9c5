import { z } from 'zod';
import type { Grant, Scope } from './principal';

/** How an API request or the database writes a scope: `"all"` or a list of grants. */
export const GrantSchema = z
  .object({
    cluster: z.string().min(1).max(253),
    namespace: z.string().min(1).max(253).optional(),
  })
  .strict();
export const ScopeSchema = z.union([z.literal('all'), z.array(GrantSchema).max(500)]);

export function encodeScope(scope: Scope): string {
  return JSON.stringify(scope);
}

export function decodeScope(text: string): Scope {
  const parsed = ScopeSchema.safeParse(JSON.parse(text));
  // A row that does not parse sees nothing rather than everything.
  return parsed.success ? parsed.data : ([] as Grant[]);
}
