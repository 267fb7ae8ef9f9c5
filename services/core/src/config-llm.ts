import { z } from 'zod';

/** `llm`: the optional LLM endpoint; model (and for azure baseUrl) are required once a provider is set. */
export const LlmConfigSchema = z
  .object({
    provider: z
      .enum(['none', 'openai', 'azure'])
      .default('none')
      .describe(
        'none: every answer comes from the deterministic engine. openai: any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp, LM Studio) at baseUrl. azure: Azure OpenAI at baseUrl (the resource endpoint).',
      ),
    client: z
      .enum(['openai-sdk', 'langchain'])
      .default('openai-sdk')
      .describe(
        "The library making the requests: the openai SDK, or LangChain's ChatOpenAI (same HTTP API).",
      ),
    baseUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        'Endpoint: https://api.openai.com/v1 (the default for openai), http://127.0.0.1:11434/v1 (Ollama), http://HOST:8000/v1 (vLLM); for azure https://RESOURCE.openai.azure.com.',
      ),
    model: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Model name (for azure: the deployment name). Required unless provider is none.'),
    apiKey: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe('API key (SLEUTH_LLM_API_KEY); self-hosted servers usually need none.'),
    apiVersion: z.string().min(1).default('2024-10-21').describe('azure: the api-version query parameter.'),
    timeoutSeconds: z
      .number()
      .positive()
      .max(600)
      .default(60)
      .describe('Per request to the endpoint; a request that takes longer is retried.'),
    maxRetries: z
      .number()
      .int()
      .min(0)
      .max(10)
      .default(2)
      .describe(
        'Retries of one request on 408, 409, 429, 5xx and timeouts, with backoff (Retry-After honoured).',
      ),
    maxToolCalls: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(12)
      .describe('Tool calls one investigation or chat answer may make before it must answer.'),
    maxTokens: z
      .number()
      .int()
      .min(1000)
      .max(10_000_000)
      .default(120_000)
      .describe('Tokens (prompt + completion, as the endpoint counts them) one answer may spend.'),
    maxOutputTokens: z
      .number()
      .int()
      .min(64)
      .max(100_000)
      .default(2000)
      .describe('max_tokens of each completion.'),
    toolResultChars: z
      .number()
      .int()
      .min(500)
      .max(1_000_000)
      .default(12_000)
      .describe('A tool result longer than this (as JSON) is truncated, with a note saying so.'),
    temperature: z.number().min(0).max(2).default(0).describe('Sampling temperature.'),
    autoInvestigate: z
      .enum(['off', 'critical', 'high', 'medium', 'low'])
      .default('high')
      .describe(
        'New incidents of this severity or higher get an LLM investigation (when a provider is set).',
      ),
    redactEmails: z
      .boolean()
      .default(false)
      .describe('Also replace email addresses before anything is sent to the endpoint.'),
    anonymise: z
      .boolean()
      .default(false)
      .describe(
        'Replace cluster, namespace and object names by placeholders in what is sent, and put them back in answers.',
      ),
    promptsDir: z
      .string()
      .min(1)
      .optional()
      .describe("Folder of prompt files (default: the installation's prompts/)."),
  })
  .strict()
  .prefault({})
  .superRefine((llm, ctx) => {
    if (llm.provider !== 'none' && !llm.model)
      ctx.addIssue({
        code: 'custom',
        path: ['model'],
        message: `required when provider is ${llm.provider}`,
      });
    if (llm.provider === 'azure' && !llm.baseUrl)
      ctx.addIssue({
        code: 'custom',
        path: ['baseUrl'],
        message: 'required when provider is azure (https://RESOURCE.openai.azure.com)',
      });
  });
