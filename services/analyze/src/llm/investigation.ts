import type { CitedEvidence, Incident, RcaAnswer, RootCause, ToolCallRecord } from '@sleuth/core';
import type { Store } from '@sleuth/store';
import type { PromQLSource } from '../prometheus/source';
import type { TopologySource } from '../topology/source';
import type { LlmClient } from './client';
import type { EvidenceRegistry } from './evidence';
import type { PromptLibrary } from './prompts';
import type { Tool } from './tools/tool';

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
  /** The Prometheus `promql_query` reads (offer that tool only with one: `toolsFor`). */
  prometheus?: PromQLSource | undefined;
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
