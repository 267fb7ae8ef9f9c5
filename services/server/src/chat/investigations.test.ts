import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, type AnswerRecord, type Incident } from '@sleuth/core';
import { SqliteStore } from '@sleuth/store';
import { noticeOf } from '../incident-feed';
import { Investigations } from './investigations';

const T = Date.parse('2026-11-20T10:00:00Z');
const MIN = 60_000;

const incident = (over: Partial<Incident> = {}): Incident => ({
  id: 'inc_a',
  title: 'cart down',
  status: 'open',
  severity: 'high',
  startMs: T,
  updatedMs: T,
  resources: [{ cluster: 'eu', namespace: 'shop', kind: 'Pod', name: 'cart-1' }],
  anomalyIds: ['anm_1'],
  rootCauses: [],
  ...over,
});

const record: AnswerRecord = {
  origin: 'llm',
  answer: { summary: 's', rootCause: null, confidence: 0, evidence: [], nextSteps: [], proposedFix: null },
  prompts: ['investigator-system@1'],
  toolCalls: [],
  notes: [],
  createdMs: T,
  durationMs: 1,
};

let dir: string;
let store: SqliteStore;
let now: number;
let asked: string[];
let investigations: Investigations;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sleuth-inv-'));
  store = new SqliteStore({ path: join(dir, 'db'), synchronous: 'normal' });
  await store.start();
  now = T;
  asked = [];
  investigations = new Investigations({
    store,
    logger: createLogger('silent'),
    autoSeverity: 'high',
    clock: () => now,
    investigator: {
      llmConfigured: true,
      promptsFor: () => ({ refs: ['investigator-system@1'], fingerprint: 'fp1' }),
      investigate: (input) => {
        asked.push(`${input.incident?.id ?? '?'}:${input.incident?.anomalyIds.length ?? 0}`);
        return Promise.resolve(record);
      },
    },
  });
});

afterEach(async () => {
  await store.stop();
  rmSync(dir, { recursive: true, force: true });
});

const settle = () => new Promise((r) => setTimeout(r, 50));

describe('Investigations', () => {
  it('runs once per incident state and stores it; the same state is answered from the store', async () => {
    await store.putIncident(incident());
    const a = await investigations.investigate('inc_a');
    const b = await investigations.investigate('inc_a');
    expect(a.status).toBe('done');
    expect(b.id).toBe(a.id);
    expect(asked).toEqual(['inc_a:1']);
    await store.putIncident(incident({ anomalyIds: ['anm_1', 'anm_2'] }));
    now = T + MIN;
    const c = await investigations.investigate('inc_a');
    expect(c.id).not.toBe(a.id);
    expect(asked).toEqual(['inc_a:1', 'inc_a:2']);
    expect((await investigations.latest('inc_a'))?.id).toBe(c.id);
  });

  it('investigates by itself only incidents severe enough, and a growing one at most every ten minutes', async () => {
    const low = incident({ id: 'inc_low', severity: 'low' });
    await store.putIncident(low);
    investigations.onNotice(noticeOf('opened', low));
    const high = incident();
    await store.putIncident(high);
    investigations.onNotice(noticeOf('opened', high));
    await settle();
    expect(asked).toEqual(['inc_a:1']);

    const grown = incident({ anomalyIds: ['anm_1', 'anm_2'] });
    await store.putIncident(grown);
    now = T + 2 * MIN;
    investigations.onNotice(noticeOf('updated', grown));
    await settle();
    expect(asked).toEqual(['inc_a:1']);

    now = T + 11 * MIN;
    investigations.onNotice(noticeOf('updated', grown));
    await settle();
    expect(asked).toEqual(['inc_a:1', 'inc_a:2']);
  });
});
