import { NotFoundError, ValidationError } from '@sleuth/core';
import { describe, expect, it } from 'vitest';
import { Simulator } from '../simulator';
import { START_MS } from '../testing/scenario';
import { MemoryTransport } from '../transport/memory-transport';
import { FaultRequest } from './fault-schema';

const sim = (): Simulator => new Simulator({ seed: 1, startMs: START_MS, transport: new MemoryTransport() });
const target = { cluster: 'prod-eu', namespace: 'shop', workload: 'checkout-api' };

describe('fault injection', () => {
  it('returns a fault record with id, start and end in simulated time', async () => {
    const s = sim();
    await s.step(10_000);
    const f = s.injectFault({ kind: 'oom_killed', target, durationSeconds: 120 });
    expect(f).toMatchObject({
      kind: 'oom_killed',
      target,
      status: 'active',
      startMs: START_MS + 10_000,
      endMs: START_MS + 130_000,
    });
    expect(f.id).toMatch(/^flt_/);
    expect(f.description).toContain('checkout-api');
    expect(s.listFaults()).toEqual([f]);
    expect(FaultRequest.parse({ kind: 'crash_loop', target }).durationSeconds).toBe(300);
  });

  it.each([
    [{ kind: 'disk_full', target }, /kind/],
    [{ kind: 'oom_killed' }, /target/],
    [{ kind: 'oom_killed', target, durationSeconds: -5 }, /durationSeconds/],
    [{ kind: 'oom_killed', target: { ...target, extra: 1 } }, /target/],
    ['not an object', /body/],
  ])('rejects a malformed request %j with a ValidationError naming the field', (body, field) => {
    const err: unknown = (() => {
      try {
        sim().injectFault(body);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect(String(err)).toMatch(field);
  });

  it.each([
    [{ ...target, cluster: 'prod-ap' }, /cluster named "prod-ap".*prod-eu, prod-us/],
    [{ ...target, namespace: 'billing' }, /namespace "billing"/],
    [{ ...target, workload: 'cart-api' }, /workload "cart-api".*checkout-api/],
    [{ ...target, namespace: 'data' }, /workload "checkout-api"/],
  ])('rejects an unknown target %j with a NotFoundError naming it', (t, message) => {
    expect(() => sim().injectFault({ kind: 'oom_killed', target: t })).toThrow(NotFoundError);
    expect(() => sim().injectFault({ kind: 'oom_killed', target: t })).toThrow(message);
  });

  it('rejects a kind the workload cannot take, and a second fault on a busy workload', () => {
    const s = sim();
    expect(() => s.injectFault({ kind: 'dependency_down', target })).toThrow(
      /checkout-api is not a database \(role: api\), pick one such as postgres/,
    );
    expect(() =>
      s.injectFault({
        kind: 'crash_loop',
        target: { cluster: 'prod-eu', namespace: 'data', workload: 'postgres' },
      }),
    ).toThrow(/needs a Deployment; postgres is a StatefulSet/);
    expect(() =>
      s.injectFault({
        kind: 'crash_loop',
        target: { cluster: 'prod-eu', namespace: 'data', workload: 'redis' },
      }),
    ).toThrow(ValidationError);
    const first = s.injectFault({ kind: 'oom_killed', target });
    expect(() => s.injectFault({ kind: 'image_pull_error', target })).toThrow(
      new RegExp(`already has fault ${first.id}`),
    );
  });

  it('clears a fault early and frees the workload', async () => {
    const s = sim();
    const f = s.injectFault({ kind: 'oom_killed', target, durationSeconds: 600 });
    await s.step(20_000);
    const cleared = s.clearFault(f.id);
    expect(cleared).toMatchObject({ id: f.id, status: 'cleared', endMs: START_MS + 20_000 });
    await s.step(5_000);
    expect(s.listFaults()[0]?.status).toBe('cleared');
    expect(s.stats().activeFaults).toBe(0);
    expect(() => s.injectFault({ kind: 'image_pull_error', target })).not.toThrow();
    expect(() => s.clearFault('flt_nope')).toThrow(NotFoundError);
  });
});
