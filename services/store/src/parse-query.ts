import type { z } from 'zod';
import { ValidationError } from '@sleuth/core';

/**
 * Validates a store query and applies its defaults. A bad query throws ValidationError whose
 * message names the field, e.g. `limit: Too big: expected number to be <=1000`.
 */
export function parseQuery<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const first = issues[0];
  const where = first?.path ? `${first.path}: ` : '';
  throw new ValidationError(`${where}${first?.message ?? 'invalid query'}`, { issues });
}

/** Rejects a window whose start is after its end. */
export function checkWindow(q: { fromMs?: number | undefined; toMs?: number | undefined }): void {
  if (q.fromMs !== undefined && q.toMs !== undefined && q.fromMs > q.toMs) {
    throw new ValidationError(`fromMs (${q.fromMs}) must not be after toMs (${q.toMs})`);
  }
}
