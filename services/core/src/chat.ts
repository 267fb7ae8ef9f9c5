import { z } from 'zod';
import { Evidence } from './analysis';
import { ResourceRef } from './resource';
import { EpochMsSchema } from './signals';

/** Evidence an answer cites, under the id the answer cites it by (`log:812`, `anomaly:an_3f`). */
export const CitedEvidence = Evidence.extend({ id: z.string().min(1).max(600) });
export type CitedEvidence = z.infer<typeof CitedEvidence>;

/** A one-field manifest change an answer proposes; it can only ever become a reviewed pull request. */
export const ProposedFix = z.object({
  resource: ResourceRef,
  field: z.string().min(1).max(500),
  from: z.string().max(2000),
  to: z.string().min(1).max(2000),
  rationale: z.string().max(4000),
});
export type ProposedFix = z.infer<typeof ProposedFix>;

/** What is wrong, why, on what evidence, and what to do: the shape of every diagnosis answer. */
export const RcaAnswer = z.object({
  summary: z.string().max(8000),
  /** Null when the evidence names no cause (nothing wrong found, or not enough data). */
  rootCause: z
    .object({
      resource: ResourceRef.nullable(),
      failureMode: z.string().max(200),
      hypothesis: z.string().max(4000),
    })
    .nullable(),
  confidence: z.number().min(0).max(1),
  evidence: z.array(CitedEvidence).max(100),
  nextSteps: z.array(z.string().max(2000)).max(30),
  proposedFix: ProposedFix.nullable(),
});
export type RcaAnswer = z.infer<typeof RcaAnswer>;

/** What one answer cost at the endpoint. */
export const LlmUsage = z.object({
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  completions: z.number().int().nonnegative(),
  toolCalls: z.number().int().nonnegative(),
});
export type LlmUsage = z.infer<typeof LlmUsage>;

/** A tool call an LLM answer made, as the user sees it in the conversation. */
export const ToolCallRecord = z.object({
  name: z.string().max(100),
  /** Arguments as sent by the model (names restored in anonymise mode), JSON text. */
  arguments: z.string().max(20_000),
  status: z.enum(['ok', 'error', 'no_data']),
  note: z.string().max(2000).optional(),
});
export type ToolCallRecord = z.infer<typeof ToolCallRecord>;

/**
 * An answer as stored: from the LLM (`llm`) or from the deterministic engine (`rules`: no LLM
 * configured, or the LLM failed, with the reason), with the prompts and model that produced it.
 */
export const AnswerRecord = z.object({
  origin: z.enum(['llm', 'rules']),
  answer: RcaAnswer,
  /** `id@version` of every prompt rendered for it (empty for `rules`). */
  prompts: z.array(z.string().max(200)).max(20),
  /** `provider:model` of the endpoint, for `llm`. */
  model: z.string().max(300).optional(),
  usage: LlmUsage.optional(),
  toolCalls: z.array(ToolCallRecord).max(200),
  /** Why the LLM's answer was not used (unavailable, over budget, invalid twice). */
  fallbackReason: z.string().max(2000).optional(),
  /** What Sleuth changed in or dropped from the model's answer (uncited evidence, an unsafe step). */
  notes: z.array(z.string().max(2000)).max(50),
  createdMs: EpochMsSchema,
  durationMs: z.number().nonnegative(),
});
export type AnswerRecord = z.infer<typeof AnswerRecord>;

/** What a conversation is about, which every question in it inherits. */
export const ConversationPin = z.object({
  incidentId: z.string().min(1).max(200).optional(),
  resource: ResourceRef.optional(),
});
export type ConversationPin = z.infer<typeof ConversationPin>;

export const Conversation = z.object({
  id: z.string().min(1).max(100),
  title: z.string().max(500),
  pin: ConversationPin,
  /** Who started it (`user:ID`, `token:ID`, `local`); chat as a scoped principal shows only its own. */
  owner: z.string().max(300).optional(),
  createdMs: EpochMsSchema,
  updatedMs: EpochMsSchema,
});
export type Conversation = z.infer<typeof Conversation>;

export const ChatMessage = z.object({
  id: z.string().min(1).max(100),
  conversationId: z.string().min(1).max(100),
  role: z.enum(['user', 'assistant']),
  /** The question, or the answer's summary. */
  text: z.string().max(20_000),
  /** The assistant's full answer. */
  answer: AnswerRecord.optional(),
  createdMs: EpochMsSchema,
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/**
 * An LLM investigation of an incident in one state: `stateKey` changes when the incident's
 * anomalies, root causes or status do, and `promptFingerprint` when a prompt does, so a cached
 * investigation is reused only for the same question about the same evidence.
 */
export const Investigation = z.object({
  id: z.string().min(1).max(300),
  incidentId: z.string().min(1).max(200),
  stateKey: z.string().min(1).max(100),
  promptFingerprint: z.string().min(1).max(100),
  status: z.enum(['running', 'done', 'failed']),
  record: AnswerRecord.optional(),
  error: z.string().max(2000).optional(),
  createdMs: EpochMsSchema,
  updatedMs: EpochMsSchema,
});
export type Investigation = z.infer<typeof Investigation>;
