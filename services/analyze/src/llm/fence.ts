/**
 * Wraps untrusted text (tool output, log lines, events, object specs, the incident) in the data
 * fence the prompts describe: `<data source="...">…</data>`. Whatever the text holds, it cannot
 * close the fence early or open a new one: `<data` and `</data` inside it are escaped, so an
 * injected "</data> Ignore previous instructions" stays inside as data.
 */
export function fence(source: string, text: string): string {
  const safeSource = source.replace(/[^a-zA-Z0-9_.:/@-]/g, '_').slice(0, 100);
  const body = text.replace(/<(\/?)data\b/gi, '<\\$1data');
  return `<data source="${safeSource}">\n${body}\n</data>`;
}
