import { describe, expect, it } from 'vitest';
import { ValidationError, type FixAction } from '@sleuth/core';
import type { FixActionQuery } from '../queries';
import { batchOf, HOUR, log, MINUTE, SECOND, T0 } from './fixtures';
import { useStore, type MakeStore } from './harness';

function action(id: string, over: Partial<FixAction> = {}): FixAction {
  return {
    id,
    incidentId: 'inc_1',
    atMs: T0,
    trigger: 'api',
    actor: 'api 127.0.0.1',
    outcome: 'declined',
    provider: 'local',
    code: 'no-patch',
    reason: 'the analyzer proposes no manifest change for crash-loop',
    ...over,
  };
}

/** An entry with every optional field set: a pull request opened for an OOM fix. */
const OPENED = action('fix_full', {
  rootCauseId: 'rc_1',
  trigger: 'auto-open',
  actor: 'sleuth',
  note: 'sized from the 14:02 peak',
  outcome: 'opened',
  provider: 'github',
  repo: 'https://github.com/acme/gitops.git',
  fixer: 'memory-limit',
  target: { kind: 'Deployment', name: 'cart', namespace: 'shop' },
  field: 'spec.template.spec.containers[name=cart].resources.limits.memory',
  from: '512Mi',
  to: '768Mi',
  path: 'apps/shop/cart.yaml',
  branch: 'sleuth/inc_1-raise-cart-memory',
  commit: '0123456789abcdef0123456789abcdef01234567',
  pullRequest: {
    provider: 'github',
    url: 'https://github.com/acme/gitops/pull/7',
    number: 7,
    branch: 'sleuth/inc_1-raise-cart-memory',
    status: 'open',
  },
  code: undefined,
  reason: undefined,
});
delete OPENED.code;
delete OPENED.reason;

/** The remediation audit log: append-only, listed newest first, kept by retention. */
export function fixActionContract(make: MakeStore): void {
  describe('remediation audit log', () => {
    const ref = useStore(make, 'each');
    const ids = async (q: FixActionQuery): Promise<string[]> =>
      (await ref.store.listFixActions(q)).map((a) => a.id);

    it('round-trips an entry with every field and never replaces one', async () => {
      await ref.store.appendFixAction(OPENED);
      expect(await ref.store.listFixActions({})).toEqual([OPENED]);
      const again: unknown = await ref.store
        .appendFixAction({ ...OPENED, outcome: 'failed', reason: 'rewritten' })
        .catch((e: unknown) => e);
      expect(again).toBeInstanceOf(ValidationError);
      expect(String(again)).toMatch(/never replaced/);
      expect(await ref.store.listFixActions({})).toEqual([OPENED]);

      const bad: unknown = await ref.store
        .appendFixAction(action('fix_bad', { actor: '' }))
        .catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(ValidationError);
      expect(String(bad)).toMatch(/actor/);
      expect((await ref.store.stats()).counts.fixActions).toBe(1);
    });

    it('lists entries newest first with id breaking ties, by incident and outcome, paged by `before`', async () => {
      const all = [
        action('a1', { atMs: T0 + MINUTE, outcome: 'opened' }),
        action('a2', { atMs: T0 + 2 * MINUTE, incidentId: 'inc_2' }),
        action('a3', { atMs: T0 + 2 * MINUTE, outcome: 'refused' }),
        action('a4', { atMs: T0 + 3 * MINUTE, outcome: 'opened' }),
      ];
      for (const a of [all[2], all[0], all[3], all[1]]) if (a) await ref.store.appendFixAction(a);
      expect(await ids({})).toEqual(['a4', 'a3', 'a2', 'a1']);
      expect(await ids({ incidentId: 'inc_1' })).toEqual(['a4', 'a3', 'a1']);
      expect(await ids({ outcome: 'opened' })).toEqual(['a4', 'a1']);
      expect(await ids({ incidentId: 'inc_2', outcome: 'opened' })).toEqual([]);
      expect(await ids({ limit: 2 })).toEqual(['a4', 'a3']);
      expect(await ids({ limit: 2, before: { atMs: T0 + 2 * MINUTE, id: 'a3' } })).toEqual(['a2', 'a1']);
      const err: unknown = await ref.store.listFixActions({ limit: 0 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
    });

    it('keeps the log through retention by age and by size', async () => {
      await ref.store.appendFixAction(OPENED);
      await ref.store.appendFixAction(action('fix_2', { atMs: T0 + SECOND }));
      await ref.store.writeBatch(batchOf({ logs: [log({ timeMs: T0, body: 'old line' })] }));
      await ref.store.enforceRetention({ maxAgeMs: 1, maxBytes: 1, nowMs: T0 + 10 * HOUR });
      expect(await ids({})).toEqual(['fix_2', 'fix_full']);
      expect((await ref.store.stats()).counts.fixActions).toBe(2);
    });
  });
}
