import type { FrozenConfig } from '@sleuth/core';
import {
  Investigator,
  LlmClient,
  type LlmSettings,
  PromptLibrary,
  defaultPromptsDir,
  toolsFor,
  type TopologySource,
} from '@sleuth/analyze';
import type { Store } from '@sleuth/store';
import { createPrometheusClient } from './prometheus-setup';

/**
 * The investigator the `llm` config describes: with `provider: none` it answers from the
 * deterministic engine only; otherwise through the configured OpenAI-compatible endpoint. Prompts
 * are loaded (and checked) here, so a broken prompt file stops startup with its name. With
 * `prometheus.url` set the model is also offered `promql_query` against that Prometheus.
 */
export function createInvestigator(
  config: FrozenConfig,
  store: Store,
  topology: TopologySource,
): Investigator {
  const llm = config.llm;
  const settings = llmSettings(llm);
  const client = settings ? new LlmClient(settings) : undefined;
  const prometheus = createPrometheusClient(config);
  return new Investigator({
    store,
    topology,
    prompts: PromptLibrary.load(llm.promptsDir ?? defaultPromptsDir()),
    tools: toolsFor({ prometheus: prometheus !== undefined }),
    prometheus,
    limits: {
      maxToolCalls: llm.maxToolCalls,
      maxTokens: llm.maxTokens,
      toolResultChars: llm.toolResultChars,
    },
    client,
    redaction: { emails: llm.redactEmails, anonymise: llm.anonymise },
  });
}

/** The client settings the `llm` config section describes; undefined when no provider is set. */
export function llmSettings(llm: FrozenConfig['llm']): LlmSettings | undefined {
  if (llm.provider === 'none' || llm.model === undefined) return undefined;
  return {
    provider: llm.provider,
    client: llm.client,
    baseUrl: llm.baseUrl,
    model: llm.model,
    apiKey: llm.apiKey,
    apiVersion: llm.apiVersion,
    timeoutMs: llm.timeoutSeconds * 1000,
    maxRetries: llm.maxRetries,
    maxOutputTokens: llm.maxOutputTokens,
    temperature: llm.temperature,
  };
}
