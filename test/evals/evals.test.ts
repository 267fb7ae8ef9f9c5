/**
 * The eval harness in CI: every case against the scripted OpenAI-compatible endpoint playing a
 * model that investigates well (its script), through the product's chat path; and the same cases
 * with no LLM, scored the same way, as the floor an LLM must beat. A wrong answer must score as a
 * failure, or the harness proves nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlmServer, type LlmTestServer } from '../support/llm-server';
import { loadCases, runCase, score, scriptSteps, type EvalCase } from './harness';

let llm: LlmTestServer;
const cases: EvalCase[] = loadCases();

beforeAll(async () => {
  llm = await startLlmServer();
});
afterAll(async () => {
  await llm?.close();
});

const settings = () => ({
  provider: 'openai' as const,
  baseUrl: llm.url,
  model: 'scripted',
  timeoutMs: 5_000,
  maxRetries: 0,
  maxOutputTokens: 2_000,
  temperature: 0,
});

describe('evals', () => {
  it('has cases, each with a script', () => {
    expect(cases.length).toBeGreaterThanOrEqual(3);
    for (const c of cases) expect(c.script.length, c.id).toBeGreaterThan(0);
  });

  it.each(cases.map((c) => c.id))('%s: the scripted investigation passes with cited evidence', async (id) => {
    const c = cases.find((x) => x.id === id) as EvalCase;
    llm.push(...scriptSteps(c));
    const r = await runCase(c, settings());
    expect(llm.remaining()).toBe(0);
    expect(r.origin, r.fallbackReason).toBe('llm');
    expect(r.pass, r.problems.join('; ')).toBe(true);
    expect(r.toolCalls).toBeGreaterThan(0);
  });

  it.each(cases.map((c) => c.id))('%s: scored the same without an LLM', async (id) => {
    const c = cases.find((x) => x.id === id) as EvalCase;
    const r = await runCase(c, undefined);
    expect(r.origin).toBe('rules');
    // The rule engine's answer is recorded, pass or not: it is the floor an LLM is compared with.
    expect(typeof r.pass).toBe('boolean');
  });

  it('scores a wrong answer as a failure, naming why', () => {
    const c = cases[0] as EvalCase;
    const distractor = c.distractors[0] as string;
    const [ns, kind, name] = distractor.split('/') as [string, string, string];
    const s = score(c, {
      summary: 'the distractor did it',
      rootCause: {
        resource: { cluster: 'eval', namespace: ns, kind, name },
        failureMode: 'bad-rollout',
        hypothesis: 'x',
      },
      confidence: 0.9,
      evidence: [],
      nextSteps: [],
      proposedFix: null,
    });
    expect(s.pass).toBe(false);
    expect(s.problems.join('; ')).toContain(`blamed the distractor ${distractor}`);
    expect(s.problems.join('; ')).toContain('no evidence cited');
  });
});
