import type { FrozenConfig } from '@sleuth/core';
import {
  Investigator,
  LlmClient,
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
  const client =
    llm.provider === 'none' || llm.model === undefined
      ? undefined
      : new LlmClient({
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
        });
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
