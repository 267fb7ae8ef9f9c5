import type { Tool, ToolContext, ToolResult } from './tools/tool';

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
