/**
 * The LLM investigator when the endpoint fails: a failing endpoint degrades to the deterministic
 * answer, and an invalid answer gets one repair round.
 */
import { describe, expect, it } from 'vitest';
import { answerJson, ask, llm, newConversation, record, useSeededLlmServer } from './support/llm-fixtures';

useSeededLlmServer();

describe('LLM investigation fallbacks and repair against a scripted endpoint', () => {
  it('retries a 429, then falls back to the deterministic answer with the reason', async () => {
    llm.push(
      { kind: 'status', status: 429, retryAfterSeconds: 0 },
      { kind: 'status', status: 429, retryAfterSeconds: 0 },
    );
    const id = await newConversation();
    const { answer } = await ask(id, 'what is wrong with shop/deploy/api?');
    const rec = record(answer);
    expect(llm.requests).toHaveLength(2);
    expect(rec.origin).toBe('rules');
    expect(rec.fallbackReason).toContain('rate-limited');
    expect(rec.answer.rootCause?.failureMode).toBe('crash-loop');
    expect(rec.answer.evidence.length).toBeGreaterThan(0);
  });

  it('retries a timeout, then falls back to the deterministic answer', async () => {
    llm.push({ kind: 'hang' }, { kind: 'hang' });
    const id = await newConversation();
    const { answer } = await ask(id, 'what is wrong with shop/deploy/api?');
    const rec = record(answer);
    expect(llm.requests).toHaveLength(2);
    expect(rec.origin).toBe('rules');
    expect(rec.fallbackReason).toContain('timeout');
    expect(rec.answer.rootCause?.failureMode).toBe('crash-loop');
  });

  it('asks once for a repair of an invalid answer, then accepts the repaired one', async () => {
    llm.push(
      { kind: 'message', content: answerJson({ evidenceIds: ['log:does-not-exist'] }) },
      {
        kind: 'reply',
        respond: (req) => {
          const last = req.chat?.messages.at(-1);
          expect(String(last?.content)).toContain('"log:does-not-exist" was not returned by any tool');
          return { kind: 'message', content: answerJson({ rootCause: null, evidenceIds: [] }) };
        },
      },
    );
    const id = await newConversation();
    const { answer } = await ask(id, 'anything odd in shop/deploy/api?');
    expect(record(answer).origin).toBe('llm');
    expect(record(answer).prompts).toContain('chat-system@1');
  });
});
