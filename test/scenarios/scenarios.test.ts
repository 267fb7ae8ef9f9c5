/**
 * The easy half of the root-cause scenarios gates CI: each fault, with a distractor running on
 * another workload, must give an incident about the faulty workload whose top root cause names
 * the fault, within 60 simulated seconds of its start. The whole suite, the hard half included,
 * and the false-incident count on a healthy fleet are `npm run bench -- scenarios`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS } from './catalog';
import { ScenarioRig } from './rig';
import { runScenarios, type ScenarioResult } from './run-scenarios';

const MINUTE = 60_000;
const EASY = SCENARIOS.filter((s) => s.easy);

let rig: ScenarioRig;
let results: ScenarioResult[];

beforeAll(async () => {
  rig = await ScenarioRig.start({ seed: 7 });
  results = await runScenarios(rig, EASY, {
    warmupMs: 30 * MINUTE,
    windowMs: 5 * MINUTE,
    // Each scenario hits another workload: recovery only has to let the last one's incidents end.
    maxRecoveryMs: 10 * MINUTE,
    askChat: (q) => rig.askChat(q),
    log: (line) => process.stdout.write(`${line}\n`),
  });
}, 900_000);
afterAll(async () => {
  await rig?.close();
});

describe('root-cause scenarios (easy half)', () => {
  it('runs every easy scenario with a distractor', () => {
    expect(EASY.length).toBeGreaterThanOrEqual(7);
    expect(EASY.every((s) => s.distractor !== undefined)).toBe(true);
    expect(results.map((r) => r.id)).toEqual(EASY.map((s) => s.id));
  });

  it.each(EASY.map((s) => s.id))('%s: the true cause ranks first within 60 s', (id) => {
    const r = results.find((x) => x.id === id);
    const why = JSON.stringify(r, null, 2);
    expect(r?.rank, why).toBe(1);
    expect(r?.top1AfterS, why).not.toBeNull();
    expect(r?.top1AfterS ?? Infinity, why).toBeLessThanOrEqual(60);
  });

  it.each(EASY.map((s) => s.id))('%s: chat without an LLM names the cause, with evidence', (id) => {
    const r = results.find((x) => x.id === id);
    const why = JSON.stringify(r, null, 2);
    expect(r?.chat?.correct, why).toBe(true);
    expect(r?.chat?.evidence ?? 0, why).toBeGreaterThan(0);
  });

  it('never sends a simulator record the receivers reject', () => {
    expect(rig.rejectedRecords).toBe(0);
  });
});
