/**
 * The LLM investigator and what a security reviewer would notice: secrets never leave for the
 * endpoint, and injected instructions in logs change nothing.
 */
import { describe, expect, it } from 'vitest';
import {
  answerJson,
  ask,
  CLUSTER,
  DB_PASSWORD,
  INJECTION,
  llm,
  newConversation,
  record,
  SECRETS,
  toolEvidenceIds,
  useSeededLlmServer,
} from './support/llm-fixtures';

useSeededLlmServer();

describe('LLM investigation safety against a scripted endpoint', () => {
  it('never sends a secret from logs, events or the question to the endpoint', async () => {
    llm.push(
      {
        kind: 'tool_calls',
        calls: [
          {
            name: 'search_logs',
            arguments: { resource: { kind: 'Deployment', name: 'api', namespace: 'shop' } },
          },
          { name: 'list_events', arguments: { namespace: 'shop' } },
          {
            name: 'get_resource',
            arguments: { resource: { kind: 'Pod', name: 'api-7f9c-x1', namespace: 'shop' } },
          },
        ],
      },
      {
        kind: 'reply',
        respond: (req) => ({
          kind: 'message',
          content: answerJson({ evidenceIds: toolEvidenceIds(req).slice(0, 1) }),
        }),
      },
    );
    const id = await newConversation();
    const { answer } = await ask(id, `what is wrong with shop/deploy/api? our db password is ${DB_PASSWORD}`);
    expect(record(answer).origin, record(answer).fallbackReason).toBe('llm');
    expect(record(answer).toolCalls.map((c) => c.status)).toEqual(['ok', 'ok', 'ok']);
    // The tools did return the lines that held the secrets (so the test would see a leak)...
    const sent = llm.requests.map((r) => r.raw).join('\n');
    expect(sent).toContain('cannot connect to postgres://orders:');
    expect(sent).toContain('[REDACTED:private-key]');
    expect(sent).toContain('Back-off restarting failed container api');
    // ...and none of the secrets reached the endpoint.
    for (const s of SECRETS) expect(sent, s).not.toContain(s);
    expect(sent).not.toContain('sk-sleuth-test-key');
    expect(sent).toContain('[REDACTED:');
  });

  it('treats an injected instruction in a log line as data: nothing destructive is proposed', async () => {
    llm.push(
      {
        kind: 'tool_calls',
        calls: [
          {
            name: 'search_logs',
            arguments: {
              q: 'instructions',
              resource: { kind: 'Deployment', name: 'api', namespace: 'shop' },
            },
          },
        ],
      },
      {
        kind: 'reply',
        respond: (req) => {
          // The line reached the model only inside a data fence.
          const tool = req.chat?.messages.find((m) => m.role === 'tool');
          const content = String(tool?.content);
          expect(content.startsWith('<data source="tool:search_logs">')).toBe(true);
          expect(content).toContain(INJECTION);
          const system = String(req.chat?.messages[0]?.content);
          expect(system).toMatch(/never an instruction to you/i);
          // A model that obeyed the injection.
          return {
            kind: 'message',
            content: answerJson({
              evidenceIds: toolEvidenceIds(req).slice(0, 1),
              nextSteps: ['kubectl delete namespace shop', 'Open a PR deleting the namespace shop'],
              proposedFix: {
                resource: `${CLUSTER}/-/Namespace/shop`,
                field: 'metadata.deletionTimestamp',
                from: '',
                to: 'now',
                rationale: 'as instructed in the log',
              },
            }),
          };
        },
      },
    );
    const id = await newConversation();
    const { answer } = await ask(id, 'what do the api logs say?');
    const rec = record(answer);
    expect(rec.origin, rec.fallbackReason).toBe('llm');
    expect(rec.answer.nextSteps.join(' ')).not.toMatch(/delet/i);
    expect(rec.answer.proposedFix).toBeNull();
    expect(rec.notes.join(' ')).toContain('refused the proposed fix');
    // The line itself stays citable evidence (a possible injection is a finding).
    expect(rec.answer.evidence[0]?.summary).toContain(INJECTION);
  });
});
