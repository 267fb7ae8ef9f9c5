/**
 * `npm run eval [-- --config FILE] [--only a,b]`: runs every eval case against the LLM endpoint in
 * the `llm` config (file or SLEUTH_LLM_* variables) and, for comparison, with no LLM; prints each
 * case's outcome and the pass rates, and as its last line one JSON object of the figures.
 */
import { loadConfig } from '@sleuth/core';
import { llmSettings } from '@sleuth/server';
import { loadCases, runCase, type EvalResult } from './harness';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(args: string[]): Promise<void> {
  const config = loadConfig({ file: flag(args, 'config') });
  const only = flag(args, 'only')?.split(',');
  const cases = loadCases().filter((c) => !only || only.includes(c.id));
  const llm = llmSettings(config.llm);
  if (!llm)
    process.stdout.write('No LLM configured (llm.provider is none): only the rule engine is scored.\n');
  const rows: { llm?: EvalResult; rules: EvalResult }[] = [];
  for (const c of cases) {
    const rules = await runCase(c, undefined);
    const withLlm = llm ? await runCase(c, llm) : undefined;
    rows.push({ rules, ...(withLlm ? { llm: withLlm } : {}) });
    const show = (r: EvalResult) =>
      `${r.pass ? 'pass' : 'FAIL'} (${r.origin}${r.fallbackReason ? `: ${r.fallbackReason}` : ''}) ${r.cause ?? 'no cause'}${r.problems.length ? ` [${r.problems.join('; ')}]` : ''}`;
    process.stdout.write(
      `${c.id}\n  rules: ${show(rules)}\n${withLlm ? `  llm:   ${show(withLlm)}; ${withLlm.toolCalls} tool calls, ${withLlm.tokens} tokens\n` : ''}`,
    );
  }
  const rate = (xs: (EvalResult | undefined)[]) => {
    const got = xs.filter((x): x is EvalResult => x !== undefined);
    return got.length === 0 ? null : got.filter((x) => x.pass).length / got.length;
  };
  const summary = {
    bench: 'eval',
    cases: rows.length,
    model: llm ? `${llm.provider}:${llm.model}` : null,
    llm_pass_rate: rate(rows.map((r) => r.llm)),
    rules_pass_rate: rate(rows.map((r) => r.rules)),
    llm_fallbacks: rows.filter((r) => r.llm?.origin === 'rules').length,
    llm_tokens: rows.reduce((n, r) => n + (r.llm?.tokens ?? 0), 0),
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
