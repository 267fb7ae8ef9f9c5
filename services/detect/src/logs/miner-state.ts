import { z } from 'zod';
import { DecodeError } from '@sleuth/core';
import { ANY, LITERAL, VARIABLE, type Template } from './template';
import { CONSTANT, VALUE, VARIABLE_LIKE } from './tokenizer';

const TemplateState = z
  .object({
    id: z.string().min(1).max(64),
    seq: z.number().int().nonnegative(),
    words: z.array(z.string()),
    seps: z.array(z.string()),
    classes: z.array(z.union([z.literal(CONSTANT), z.literal(VARIABLE_LIKE), z.literal(VALUE)])),
    slots: z.array(z.union([z.literal(LITERAL), z.literal(VARIABLE), z.literal(ANY)])),
    count: z.number().int().nonnegative(),
    lastSeen: z.number().int().nonnegative(),
  })
  .refine(
    (t) =>
      t.seps.length === t.words.length + 1 &&
      t.classes.length === t.words.length &&
      t.slots.length === t.words.length,
    { message: 'a template needs one class and one slot per word, and one separator more than words' },
  );

/**
 * A `TemplateMiner`'s state as JSON: its templates in creation order and its clocks. Restoring it
 * gives back a miner that assigns every line the id the saved one would have (the shape memo is
 * not saved: it only saves time). Versioned so a later format can read this one.
 */
export const MinerSnapshot = z.object({
  format: z.literal('sleuth.log-templates'),
  version: z.literal(1),
  seq: z.number().int().nonnegative(),
  clock: z.number().int().nonnegative(),
  templates: z.array(TemplateState),
});
export type MinerSnapshot = z.infer<typeof MinerSnapshot>;

export function toSnapshot(seq: number, clock: number, templates: readonly Template[]): MinerSnapshot {
  return {
    format: 'sleuth.log-templates',
    version: 1,
    seq,
    clock,
    templates: templates.map((t) => ({
      id: t.id,
      seq: t.seq,
      words: t.words.slice(),
      seps: t.seps.slice(),
      classes: t.classes.slice(),
      slots: t.slots.slice(),
      count: t.count,
      lastSeen: t.lastSeen,
    })),
  };
}

/** Validates a saved snapshot (e.g. parsed JSON); throws `DecodeError` naming what is wrong. */
export function parseSnapshot(json: unknown): MinerSnapshot {
  const parsed = MinerSnapshot.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DecodeError(
      `not a log template miner snapshot: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`,
      {
        issues: parsed.error.issues.slice(0, 5).map((i) => ({ path: i.path.join('.'), message: i.message })),
      },
    );
  }
  const ids = new Set<string>();
  for (const t of parsed.data.templates) {
    if (ids.has(t.id))
      throw new DecodeError(`not a log template miner snapshot: template id ${t.id} appears twice`);
    ids.add(t.id);
  }
  return parsed.data;
}

export function fromSnapshot(s: MinerSnapshot): Template[] {
  return s.templates.map((t) => ({
    ...t,
    words: t.words.slice(),
    seps: t.seps.slice(),
    classes: t.classes.slice(),
    slots: t.slots.slice(),
  }));
}
