import type { FrozenConfig } from '@sleuth/core';
import {
  Investigator,
  LlmClient,
  type LlmSettings,
  PromptLibrary,
  TOOLS,
  defaultPromptsDir,
  type TopologySource,
} from '@sleuth/analyze';
import type { Store } from '@sleuth/store';

/**
 * The investigator the `llm` config describes: with `provider: none` it answers from the
 * deterministic engine only; otherwise through the configured OpenAI-compatible endpoint. Prompts
 * are loaded (and checked) here, so a broken prompt file stops startup with its name.
 */
export function createInvestigator(
  config: FrozenConfig,
  store: Store,
  topology: TopologySource,
): Investigator {
  const llm = config.llm;
  const settings = llmSettings(llm);
  const client = settings ? new LlmClient(settings) : undefined;
  return new Investigator({
    store,
    topology,
    prompts: PromptLibrary.load(llm.promptsDir ?? defaultPromptsDir()),
    tools: TOOLS,
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
