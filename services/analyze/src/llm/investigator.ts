import { z } from 'zod';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { AnswerRecord, ToolCallRecord } from '@sleuth/core';
import { checkAnswer, SummaryStreamer } from './answer';
import { Budget, LlmError, type LlmClient } from './client';
import { EvidenceRegistry } from './evidence';
import { fence } from './fence';
import type { InvestigationEvents, InvestigationInput, InvestigatorDeps } from './investigation';
import {
  incidentText,
  invalidReason,
  redactMessages,
  redactionNotes,
  refNames,
  registerNames,
  usageOf,
} from './messages';
import { Redactor } from './redact';
import { findingsText, rulesAnswer } from './rules-answer';
import { runTool } from './tool-runner';
import { toolsFor } from './tools';
import type { Store } from '@sleuth/store';
import type { TopologySource } from '../topology/source';
import type { ToolContext } from './tools/tool';

/** Earlier turns of a conversation sent with a question, and the characters kept of each. */
const MAX_HISTORY_TURNS = 12;
const MAX_HISTORY_CHARS = 4000;

/**
 * The LLM investigator: gives an OpenAI-compatible model Sleuth's read-only tools and the
 * deterministic engine's findings, runs the tool loop within the budgets, and accepts only an
 * answer that validates (schema, citations that a tool returned, no unsafe steps), asking once for
 * a repair. Whatever goes wrong (no endpoint, 429s, timeouts, a budget spent, an invalid answer
 * twice) the answer is the deterministic engine's, marked `rules` with the reason: a failed LLM call
 * never fails a diagnosis.
 *
 * Everything sent passes the redactor (secrets out, names replaced in anonymise mode) and every
 * piece of observed data is fenced as data. The model has no tool that writes.
 */
export class Investigator {
  private readonly clock: () => number;

  constructor(private readonly deps: InvestigatorDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  /**
   * The same investigator reading through another store and topology (a principal's scoped view,
   * services/server/src/auth/scoped-store.ts), so its tools cannot reach beyond them. Prometheus is
   * left out: a PromQL query cannot be held to a scope.
   */
  withStore(store: Store, topology: TopologySource): Investigator {
    return new Investigator({
      ...this.deps,
      store,
      topology,
      prometheus: undefined,
      tools: toolsFor({ prometheus: false }),
    });
  }

  get llmConfigured(): boolean {
    return this.deps.client !== undefined;
  }

  /** `id@version` of the prompts an answer in this mode renders, and their combined fingerprint. */
  promptsFor(mode: InvestigationInput['mode']): { refs: string[]; fingerprint: string } {
    const ids =
      mode === 'incident'
        ? ['investigator-system', 'investigate-incident', 'repair-answer']
        : ['chat-system', 'repair-answer'];
    const ts = ids.map((id) => this.deps.prompts.get(id));
    return { refs: ts.map((t) => t.ref), fingerprint: ts.map((t) => t.fingerprint).join('.') };
  }

  async investigate(
    input: InvestigationInput,
    events: InvestigationEvents = {},
    signal?: AbortSignal,
  ): Promise<AnswerRecord> {
    const started = this.clock();
    const client = this.deps.client;
    const evidence = new EvidenceRegistry();
    for (const e of input.priorEvidence ?? []) evidence.restore(e);
    if (!client) return this.rules(input, started, evidence, [], 'no LLM is configured');
    const toolCalls: ToolCallRecord[] = [];
    const budget = new Budget(this.deps.limits.maxTokens, this.deps.limits.maxToolCalls);
    const redactor = new Redactor(this.deps.redaction ?? { emails: false, anonymise: false });
    try {
      const { messages, prompts } = this.opening(input, evidence, redactor);
      const tools = this.deps.tools;
      const toolDefs: ChatCompletionTool[] = tools.map((t) => ({
        type: 'function',
        function: {
          name: t.name,
          description: t.description,
          parameters: z.toJSONSchema(t.params, { io: 'input' }),
        },
      }));
      const ctx: ToolContext = {
        store: this.deps.store,
        topology: this.deps.topology,
        nowMs: input.nowMs,
        evidence,
        ...(input.defaultCluster ? { defaultCluster: input.defaultCluster } : {}),
        ...(this.deps.prometheus ? { prometheus: this.deps.prometheus } : {}),
      };
      let repaired = false;
      let budgetNoticeSent = false;
      for (;;) {
        const offerTools = budget.toolCallsLeft > 0;
        if (!offerTools && !budgetNoticeSent) {
          messages.push({
            role: 'user',
            content: `The tool-call budget (${budget.maxToolCalls}) is spent. Answer now with the evidence you have, as the JSON object only.`,
          });
          budgetNoticeSent = true;
        }
        const streamer = new SummaryStreamer();
        let streamed = '';
        const completion = await client.complete({
          messages: redactMessages(messages, redactor),
          ...(offerTools ? { tools: toolDefs } : {}),
          budget,
          onText: (delta) => {
            const text = streamer.feed(delta);
            if (text) {
              streamed += text;
              events.onText?.(redactor.restore(text));
            }
          },
          ...(signal ? { signal } : {}),
        });
        if (completion.toolCalls.length > 0 && offerTools) {
          messages.push({
            role: 'assistant',
            content: completion.content || null,
            tool_calls: completion.toolCalls.map((c) => ({
              id: c.id,
              type: 'function' as const,
              function: { name: c.name, arguments: c.arguments },
            })),
          });
          for (const call of completion.toolCalls) {
            if (budget.toolCallsLeft <= 0) {
              messages.push({
                role: 'tool',
                tool_call_id: call.id,
                content: 'Not run: the tool-call budget is spent.',
              });
              continue;
            }
            budget.toolCalls++;
            const args = redactor.restore(call.arguments);
            const before = new Set(evidence.ids());
            const result = await runTool(
              tools,
              call.name,
              args,
              ctx,
              this.deps.limits.toolResultChars,
              (full) => registerNames(redactor, full),
            );
            // Evidence a tool registered but the cut left out was never shown: it cannot be cited.
            const shown = JSON.stringify(result);
            for (const id of evidence.ids())
              if (!before.has(id) && !shown.includes(JSON.stringify(id))) evidence.delete(id);
            const record: ToolCallRecord = {
              name: call.name.slice(0, 100),
              arguments: args.slice(0, 20_000),
              status: result.status,
              ...(result.note ? { note: result.note.slice(0, 2000) } : {}),
            };
            toolCalls.push(record);
            events.onToolCall?.(record);
            messages.push({
              role: 'tool',
              tool_call_id: call.id,
              content: fence(`tool:${call.name}`, JSON.stringify(redactor.redactValue(result))),
            });
          }
          continue;
        }
        const text = redactor.restore(completion.content);
        const checked = checkAnswer(text, evidence);
        if (checked.ok) {
          return {
            origin: 'llm',
            answer: checked.value.answer,
            prompts,
            model: client.label,
            usage: usageOf(budget),
            toolCalls,
            notes: [...checked.value.notes, ...redactionNotes(redactor)]
              .slice(0, 50)
              .map((n) => n.slice(0, 2000)),
            createdMs: this.clock(),
            durationMs: this.clock() - started,
          };
        }
        if (repaired) {
          return this.rules(
            input,
            started,
            evidence,
            toolCalls,
            invalidReason(checked.errors),
            budget,
            client,
          );
        }
        repaired = true;
        if (streamed.length > 0) events.onRestart?.();
        messages.push({ role: 'assistant', content: completion.content });
        messages.push({
          role: 'user',
          content: this.deps.prompts.render('repair-answer', {
            errors: redactor.redact(checked.errors.map((e) => `- ${e}`).join('\n')),
          }).text,
        });
      }
    } catch (err) {
      const reason =
        err instanceof LlmError
          ? `the LLM endpoint failed (${err.failure}${err.attempts > 1 ? `, ${err.attempts} attempts` : ''}): ${err.message}`
          : `the investigation failed: ${err instanceof Error ? err.message : String(err)}`;
      return this.rules(input, started, evidence, toolCalls, reason, budget, client);
    }
  }

  /** The system prompt and first messages, with every observed datum fenced. */
  private opening(
    input: InvestigationInput,
    evidence: EvidenceRegistry,
    redactor: Redactor,
  ): { messages: ChatCompletionMessageParam[]; prompts: string[] } {
    const toolNames = this.deps.tools.map((t) => t.name).join(', ');
    const common = {
      tool_names: toolNames,
      now: new Date(input.nowMs).toISOString(),
      max_tool_calls: String(this.deps.limits.maxToolCalls),
    };
    // Names are registered before anything is built: in anonymise mode every observed datum is
    // masked as it is fenced, and Sleuth's own text (prompts, fence markup) never is.
    for (const rc of input.causes) redactor.addNames(refNames(rc.resource));
    if (input.incident) for (const r of input.incident.resources) redactor.addNames(refNames(r));
    redactor.addNames(input.names ?? []);
    for (const e of input.priorEvidence ?? [])
      if (e.signal.kind === 'object') redactor.addNames(refNames(e.signal.ref));
    const data = (source: string, text: string) => fence(source, redactor.redact(text));
    const findings = data('sleuth:rule-findings', findingsText(input.causes, evidence));
    const messages: ChatCompletionMessageParam[] = [];
    const prompts: string[] = [];
    if (input.mode === 'incident' && input.incident) {
      const system = this.deps.prompts.render('investigator-system', common);
      const user = this.deps.prompts.render('investigate-incident', {
        incident: data(`incident:${input.incident.id}`, incidentText(input.incident)),
        findings,
        question: redactor.redact(input.question),
      });
      messages.push({ role: 'system', content: system.text }, { role: 'user', content: user.text });
      prompts.push(system.ref, user.ref);
    } else {
      const context = [
        input.context ? data('sleuth:pin', input.context) : '',
        input.incident ? data(`incident:${input.incident.id}`, incidentText(input.incident)) : '',
        input.causes.length > 0 ? `Rule engine findings for it:\n${findings}` : '',
      ]
        .filter((s) => s !== '')
        .join('\n\n');
      const system = this.deps.prompts.render('chat-system', { ...common, context });
      messages.push({ role: 'system', content: system.text });
      prompts.push(system.ref);
      for (const turn of (input.history ?? []).slice(-MAX_HISTORY_TURNS)) {
        messages.push({ role: turn.role, content: redactor.redact(turn.text.slice(0, MAX_HISTORY_CHARS)) });
      }
      messages.push({ role: 'user', content: redactor.redact(input.question) });
    }
    return { messages, prompts };
  }

  /** The deterministic engine's answer, recorded with why the LLM's was not used. */
  private rules(
    input: InvestigationInput,
    started: number,
    evidence: EvidenceRegistry,
    toolCalls: ToolCallRecord[],
    reason: string,
    budget?: Budget,
    client?: LlmClient,
  ): AnswerRecord {
    return {
      origin: 'rules',
      answer: input.rules ? input.rules(evidence) : rulesAnswer(input.causes, evidence, input.subject),
      prompts: [],
      ...(client ? { model: client.label } : {}),
      ...(budget && budget.completions + budget.toolCalls > 0 ? { usage: usageOf(budget) } : {}),
      toolCalls,
      fallbackReason: reason.slice(0, 1900),
      notes: [],
      createdMs: this.clock(),
      durationMs: this.clock() - started,
    };
  }
}
