export { checkAnswer, extractJson, ModelAnswer, parseRefText, SummaryStreamer, unsafeReason } from './answer';
export {
  Budget,
  LlmClient,
  LlmError,
  backoffMs,
  type Completion,
  type LlmFailure,
  type LlmSettings,
} from './client';
export { EvidenceRegistry } from './evidence';
export { fence } from './fence';
export {
  type InvestigationEvents,
  type InvestigationInput,
  type InvestigatorDeps,
  type InvestigatorLimits,
  type PriorTurn,
} from './investigation';
export { Investigator } from './investigator';
export { PromptError, PromptLibrary, defaultPromptsDir, type RenderedPrompt } from './prompts';
export { Redactor } from './redact';
export { runTool, truncateResult } from './tool-runner';
export { findingsText, rulesAnswer } from './rules-answer';
export {
  PROMETHEUS_TOOLS,
  TOOLS,
  TOOL_REGISTRY,
  toolNamed,
  toolsFor,
  type Tool,
  type ToolContext,
  type ToolResult,
} from './tools';
