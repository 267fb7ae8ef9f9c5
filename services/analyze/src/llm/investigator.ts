import { z } from 'zod';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import {
  refKey,
  type AnswerRecord,
  type CitedEvidence,
  type Incident,
  type RcaAnswer,
  type RootCause,
  type ToolCallRecord,
} from '@sleuth/core';
import type { Store } from '@sleuth/store';
import type { TopologySource } from '../topology/source';
import { checkAnswer, SummaryStreamer } from './answer';
import { Budget, LlmError, type LlmClient } from './client';
import { EvidenceRegistry } from './evidence';
import { fence } from './fence';
import type { PromptLibrary } from './prompts';
import { Redactor } from './redact';
import { findingsText, rulesAnswer } from './rules-answer';
import type { Tool, ToolContext, ToolResult } from './tools/tool';

export interface InvestigatorLimits {
  /** Tool calls one answer may make. */
  maxToolCalls: number;
  /** Tokens (prompt + completion) one answer may spend. */
  maxTokens: number;
  /** A tool result longer than this, as JSON, is truncated with a note. */
  toolResultChars: number;
}

export interface InvestigatorDeps {
  store: Store;
  topology: TopologySource;
  prompts: PromptLibrary;
  tools: readonly Tool[];
  limits: InvestigatorLimits;
  /** Absent: every answer comes from the deterministic engine. */
  client?: LlmClient | undefined;
  redaction?: { emails: boolean; anonymise: boolean };
  clock?: () => number;
}

/** One turn of earlier conversation, as text. */
export interface PriorTurn {
  role: 'user' | 'assistant';
  text: string;
}

export interface InvestigationInput {
  /** `incident`: explain an incident; `chat`: answer an engineer's question. */
  mode: 'incident' | 'chat';
  question: string;
  incident?: Incident | undefined;
  /** The deterministic engine's ranked causes for what is asked about: the seed and the fallback. */
  causes: readonly RootCause[];
  /** What the rules answer calls the subject when it finds nothing ("Deployment shop/cart"). */
  subject: string;
  /** For chat: what the conversation is pinned to, in words (fenced before it is sent). */
  context?: string | undefined;
  history?: readonly PriorTurn[] | undefined;
  nowMs: number;
  defaultCluster?: string | undefined;
  /** Names to anonymise from the start (the resource asked about, the scope), in anonymise mode. */
  names?: readonly string[] | undefined;
  /** Evidence cited earlier in the conversation: a follow-up may cite it again. */
  priorEvidence?: readonly CitedEvidence[] | undefined;
  /**
   * The answer without the LLM, when it is not simply the ranked causes' (a namespace's open
   * incidents, a resource that is not stored). Default: {@link rulesAnswer} of `causes`.
   */
  rules?: ((evidence: EvidenceRegistry) => RcaAnswer) | undefined;
}

/** What an investigation reports while it runs (for the SSE stream). */
export interface InvestigationEvents {
  /** New characters of the answer's summary. */
  onText?: (delta: string) => void;
  /** A tool call the model made, once its result is known. */
  onToolCall?: (call: ToolCallRecord) => void;
  /** The summary streamed so far is void: the answer was invalid and is being written again. */
  onRestart?: () => void;
}

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

function usageOf(b: Budget): NonNullable<AnswerRecord['usage']> {
  return {
    promptTokens: b.promptTokens,
    completionTokens: b.completionTokens,
    completions: b.completions,
    toolCalls: b.toolCalls,
  };
}

function invalidReason(errors: string[]): string {
  return `the LLM's answer was invalid twice: ${errors.slice(0, 5).join('; ')}`;
}

function redactionNotes(r: Redactor): string[] {
  const counts = Object.entries(r.counts() as Record<string, number>).filter(([, n]) => n > 0);
  return counts.length === 0
    ? []
    : [`redacted before sending: ${counts.map(([k, n]) => `${n} ${k}`).join(', ')}`];
}

function refNames(r: { cluster: string; namespace?: string | undefined; name: string }): string[] {
  return [r.cluster, r.name, ...(r.namespace ? [r.namespace] : [])];
}

/** Names in tool output (objects with kind and name, and source fields) go to the anonymiser. */
function registerNames(redactor: Redactor, data: unknown, depth = 0): void {
  if (typeof data === 'string') {
    // References written as text: `cluster/namespace/Kind/name`.
    const m = /^([a-z0-9][a-z0-9.-]*)\/([a-z0-9][a-z0-9.-]*|-)\/[A-Z][A-Za-z]+\/([a-z0-9][a-z0-9.-]*)$/.exec(
      data,
    );
    if (m) redactor.addNames([m[1] as string, m[3] as string, ...(m[2] !== '-' ? [m[2] as string] : [])]);
    return;
  }
  if (depth > 8 || data === null || typeof data !== 'object') return;
  if (Array.isArray(data)) {
    for (const d of data) registerNames(redactor, d, depth + 1);
    return;
  }
  const o = data as Record<string, unknown>;
  const names: string[] = [];
  for (const key of ['cluster', 'namespace', 'pod', 'workload', 'service', 'node']) {
    const v = o[key];
    if (typeof v === 'string') names.push(v);
  }
  if (typeof o['kind'] === 'string' && typeof o['name'] === 'string') names.push(o['name']);
  if (names.length > 0) redactor.addNames(names);
  for (const v of Object.values(o)) registerNames(redactor, v, depth + 1);
}

/**
 * Every message's text through the secret redactor: the one door out of Sleuth to the endpoint.
 * (Names were masked where data was fenced; masking here would rewrite Sleuth's own prompts.)
 */
function redactMessages(messages: ChatCompletionMessageParam[], r: Redactor): ChatCompletionMessageParam[] {
  return messages.map((m) => {
    if (typeof m.content === 'string') return { ...m, content: r.redactSecrets(m.content) };
    if (m.role === 'assistant' && m.tool_calls) {
      return {
        ...m,
        tool_calls: m.tool_calls.map((c) =>
          c.type === 'function'
            ? { ...c, function: { ...c.function, arguments: r.redactSecrets(c.function.arguments) } }
            : c,
        ),
      };
    }
    return m;
  });
}

function incidentText(inc: Incident): string {
  return [
    `id: ${inc.id}`,
    `title: ${inc.title}`,
    `severity: ${inc.severity}; status: ${inc.status}`,
    `started: ${new Date(inc.startMs).toISOString()}; updated: ${new Date(inc.updatedMs).toISOString()}${inc.resolvedMs ? `; resolved: ${new Date(inc.resolvedMs).toISOString()}` : ''}`,
    `resources: ${inc.resources.slice(0, 30).map(refKey).join(', ')}${inc.resources.length > 30 ? ` (and ${inc.resources.length - 30} more)` : ''}`,
    `anomalies: ${inc.anomalyIds.length} (list_anomalies or get_incident shows them)`,
  ].join('\n');
}

/**
 * Runs one tool call: unknown tools, unparsable arguments and parameter errors come back as
 * `error` results echoing what was sent (so the model can correct itself), a throw inside the tool
 * as an `error` naming it, and a result over `maxChars` is cut with a note.
 */
export async function runTool(
  tools: readonly Tool[],
  name: string,
  rawArgs: string,
  ctx: ToolContext,
  maxChars: number,
  /** Sees the whole result before it is cut (names to anonymise). */
  observe?: (full: ToolResult) => void,
): Promise<ToolResult> {
  const tool = tools.find((t) => t.name === name);
  if (!tool) {
    return {
      status: 'error',
      data: null,
      query: { tool: name, arguments: rawArgs.slice(0, 2000) },
      note: `no tool named "${name}"; the tools are ${tools.map((t) => t.name).join(', ')}`,
    };
  }
  let args: unknown;
  try {
    args = rawArgs.trim() === '' ? {} : JSON.parse(rawArgs);
  } catch {
    return {
      status: 'error',
      data: null,
      query: rawArgs.slice(0, 2000),
      note: 'the arguments are not valid JSON',
    };
  }
  const parsed = tool.params.safeParse(args);
  if (!parsed.success) {
    return {
      status: 'error',
      data: null,
      query: args,
      note: `invalid parameters: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    };
  }
  let result: ToolResult;
  try {
    result = await tool.run(parsed.data, ctx);
  } catch (err) {
    result = {
      status: 'error',
      data: null,
      query: args,
      note: `${name} failed: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  observe?.(result);
  return truncateResult(result, maxChars);
}

/**
 * Cuts a result to `maxChars` of JSON: the longest arrays in `data` lose items from the end until
 * it fits (newest-first listings keep the newest), and a note says how many were left out; a
 * result that still does not fit is cut as text.
 */
export function truncateResult(input: ToolResult, maxChars: number): ToolResult {
  if (JSON.stringify(input).length <= maxChars) return input;
  // The echoed query and the note are the tool's, but a model can send a huge argument.
  const queryText = JSON.stringify(input.query) ?? '';
  const queryCap = Math.min(2000, Math.floor(maxChars / 4));
  const result: ToolResult = {
    ...input,
    query: queryText.length > queryCap ? `${queryText.slice(0, queryCap)}…` : input.query,
    ...(input.note ? { note: input.note.slice(0, Math.min(1000, Math.floor(maxChars / 8))) } : {}),
  };
  if (JSON.stringify(result).length <= maxChars) return result;
  const data: unknown = structuredClone(result.data);
  const arrays: { holder: Record<string, unknown>; key: string; total: number }[] = [];
  const collect = (v: unknown, depth: number): void => {
    if (depth > 3 || v === null || typeof v !== 'object' || Array.isArray(v)) return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (Array.isArray(x)) arrays.push({ holder: v as Record<string, unknown>, key: k, total: x.length });
      else collect(x, depth + 1);
    }
  };
  collect(data, 0);
  const size = () => JSON.stringify({ ...result, data }).length;
  while (size() > maxChars) {
    const longest = arrays
      .map((a) => ({ a, n: (a.holder[a.key] as unknown[]).length }))
      .filter((x) => x.n > 1)
      .sort((x, y) => y.n - x.n)[0];
    if (!longest) break;
    const list = longest.a.holder[longest.a.key] as unknown[];
    longest.a.holder[longest.a.key] = list.slice(0, Math.max(1, Math.floor(list.length * 0.7)));
  }
  const cut = arrays
    .filter((a) => (a.holder[a.key] as unknown[]).length < a.total)
    .map((a) => `${a.key}: ${(a.holder[a.key] as unknown[]).length} of ${a.total} shown`);
  const note = [
    result.note,
    `truncated to fit ${maxChars} characters (${cut.join(', ') || 'text cut'}); narrow the query for the rest`,
  ]
    .filter((s) => s)
    .join('; ');
  const out: ToolResult = { ...result, data, note };
  if (JSON.stringify(out).length <= maxChars) return out;
  // As text: escaping grows it when re-encoded, so cut until the whole result fits.
  const text = JSON.stringify(data) ?? '';
  let keep = Math.min(text.length, maxChars);
  let asText: ToolResult = { ...result, data: '', note };
  while (keep > 0) {
    asText = { ...result, data: `${text.slice(0, keep)}…`, note };
    const over = JSON.stringify(asText).length - maxChars;
    if (over <= 0) break;
    keep -= Math.max(over, Math.ceil(keep / 10));
  }
  return keep > 0 ? asText : { ...result, data: null, note };
}
