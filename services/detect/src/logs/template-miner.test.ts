import { describe, expect, it } from 'vitest';
import { ConfigError, DecodeError } from '@sleuth/core';
import { TemplateMiner } from './template-miner';

/** A small service log: two request templates, lifecycle events, and an error with a stack trace. */
const LINES = [
  'GET /api/orders/1001 200 in 12ms',
  'pod web-7f9c started on node-3',
  'GET /api/orders/1002 200 in 9ms',
  'pod web-7f9c stopped on node-3',
  'POST /api/orders 201 in 30ms',
  'pod api-55d1 started on node-1',
  'GET /api/cart/77 404 in 2ms',
];

function ids(miner: TemplateMiner, lines: readonly string[]): string[] {
  return lines.map((l) => miner.add(l).templateId);
}

describe('TemplateMiner', () => {
  it('groups lines that differ only in variables and renders the template with <*>', () => {
    const miner = new TemplateMiner();
    const got = ids(miner, LINES);
    expect(got[0]).toBe(got[2]);
    expect(got[0]).toBe(got[6]);
    expect(got[1]).toBe(got[5]);
    expect(new Set(got).size).toBe(4);
    expect(miner.template(got[0] ?? '')).toEqual({ id: got[0], text: 'GET <*> <*> in <*>', count: 3 });
    expect(miner.template(got[1] ?? '')?.text).toBe('pod <*> started on <*>');
    expect(miner.template(got[4] ?? '')?.text).toBe('POST /api/orders <*> in <*>');
  });

  it('keeps messages apart when a constant word differs', () => {
    const miner = new TemplateMiner();
    const [started, stopped, paused] = ids(miner, [
      '[instance: 9a1c] VM Started (Lifecycle Event)',
      '[instance: 9a1c] VM Stopped (Lifecycle Event)',
      '[instance: 77b2] VM Paused (Lifecycle Event)',
    ]);
    expect(new Set([started, stopped, paused]).size).toBe(3);
  });

  it('reports which line created a template', () => {
    const miner = new TemplateMiner();
    expect(miner.add('disk full on /dev/sda1').created).toBe(true);
    expect(miner.add('disk full on /dev/sdb2').created).toBe(false);
  });

  it('gives the same line the same id after a restart from saved JSON', () => {
    const before = new TemplateMiner();
    const first = ids(before, LINES);
    const saved = JSON.parse(JSON.stringify(before.snapshot())) as unknown;
    const after = TemplateMiner.restore(saved);
    expect(ids(after, LINES)).toEqual(first);
    expect(after.templates()).toEqual(before.templates().map((t) => ({ ...t, count: t.count * 2 })));
    // A line never seen gets a new template, the same one in a miner that never restarted.
    expect(after.add('cache warmed in 3s').templateId).toBe(before.add('cache warmed in 3s').templateId);
  });

  it('gives the same template the same id in two independent miners', () => {
    const a = new TemplateMiner();
    const b = new TemplateMiner();
    a.add('unrelated line first');
    expect(a.add('user 42 logged in').templateId).toBe(b.add('user 7 logged in').templateId);
  });

  it('refuses a snapshot that is not one, saying what is wrong', () => {
    expect(() => TemplateMiner.restore({ format: 'other' })).toThrow(DecodeError);
    const snap = new TemplateMiner().snapshot();
    const broken = {
      ...snap,
      templates: [
        { id: 'x', seq: 0, words: ['a'], seps: [''], classes: [0], slots: [0], count: 1, lastSeen: 1 },
      ],
    };
    expect(() => TemplateMiner.restore(broken)).toThrow(/one separator more than words/);
  });

  it('mines a multi-line record from its first line: stack traces do not add templates', () => {
    const miner = new TemplateMiner();
    const traces = [1, 2, 3, 4, 5].map(
      (n) =>
        `ERROR request 77${n} failed: java.lang.IllegalStateException: closed\n` +
        `\tat com.shop.Cart.checkout(Cart.java:${n * 10})\n\tat com.shop.Api.handle(Api.java:${n})\n\t... ${n} more`,
    );
    const got = ids(miner, traces);
    expect(new Set(got).size).toBe(1);
    expect(miner.size).toBe(1);
    expect(miner.template(got[0] ?? '')?.text).toBe(
      'ERROR request <*> failed: java.lang.IllegalStateException: closed',
    );
    expect(miner.stats.multiLine).toBe(5);
  });

  it('turns a position into a variable once many distinct words showed up there', () => {
    const miner = new TemplateMiner({ wordVariableAfter: 4 });
    const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
    const got = users.map((u) => miner.add(`Invalid user ${u} from 10.0.0.1 port 22`).templateId);
    // alice, bob, carol: each its own template; dave makes the fourth: from then on one template.
    expect(new Set(got.slice(0, 3)).size).toBe(3);
    expect(got[3]).toBe(got[4]);
    expect(got[4]).toBe(got[5]);
    expect(miner.template(got[5] ?? '')?.text).toBe('Invalid user <*> from <*> port <*>');
    // The earlier users keep their own templates.
    expect(miner.add('Invalid user bob from 10.0.0.9 port 22').templateId).toBe(got[1]);
  });

  it('never generalises a message down to fewer than two constant words', () => {
    const miner = new TemplateMiner({ wordVariableAfter: 2 });
    const got = ['clear()', 'flush()', 'reset()'].map((l) => miner.add(l).templateId);
    expect(new Set(got).size).toBe(3);
  });

  it('keeps at most maxTemplates, evicting the least recently matched', () => {
    const miner = new TemplateMiner({ maxTemplates: 3 });
    const keep = miner.add('heartbeat ok').templateId;
    for (const word of ['alpha', 'beta', 'gamma', 'delta', 'epsilon']) {
      miner.add(`job ${word} done`);
      miner.add('heartbeat ok');
    }
    expect(miner.size).toBeLessThanOrEqual(3);
    expect(miner.template(keep)).toBeDefined();
    expect(miner.stats.evicted).toBeGreaterThan(0);
  });

  it('caps words per template: a longer message keeps its head and one variable tail', () => {
    const miner = new TemplateMiner({ maxWords: 4 });
    const a = miner.add('args: alpha beta gamma delta epsilon');
    const b = miner.add('args: alpha beta one two three four five');
    expect(b.templateId).toBe(a.templateId);
    expect(miner.template(a.templateId)?.text).toBe('args: alpha beta <*>');
    expect(miner.stats.truncatedWords).toBe(2);
  });

  it('answers the same with a tiny shape memo as with a large one (the memo only saves time)', () => {
    const lines = [...LINES, ...LINES.map((l) => l.replace('200', '500')), ...LINES];
    const small = new TemplateMiner({ maxShapeChars: 40 });
    expect(ids(small, lines)).toEqual(ids(new TemplateMiner(), lines));
  });

  // Found by test/fuzz/log-lines.fuzz.test.ts: a constant word NUL had the shape of a variable, so
  // the shape memo put the path after it into its template, which a restored miner did not.
  it('tells a NUL word from a variable one, so a restored miner answers the same', () => {
    const lines = ['\u0000', '\\\\', ''];
    const miner = new TemplateMiner({ maxTemplates: 2 });
    const first = ids(miner, lines);
    expect(first[1]).not.toBe(first[0]);
    const restored = TemplateMiner.restore(JSON.parse(JSON.stringify(miner.snapshot())), { maxTemplates: 2 });
    expect(ids(restored, lines)).toEqual(ids(miner, lines));
  });

  it('rejects options out of range at construction', () => {
    expect(() => new TemplateMiner({ maxTemplates: 0 })).toThrow(ConfigError);
  });
});
