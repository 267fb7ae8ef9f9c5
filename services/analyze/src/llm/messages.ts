import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { refKey, type AnswerRecord, type Incident } from '@sleuth/core';
import type { Budget } from './client';
import type { Redactor } from './redact';

export function usageOf(b: Budget): NonNullable<AnswerRecord['usage']> {
  return {
    promptTokens: b.promptTokens,
    completionTokens: b.completionTokens,
    completions: b.completions,
    toolCalls: b.toolCalls,
  };
}

export function invalidReason(errors: string[]): string {
  return `the LLM's answer was invalid twice: ${errors.slice(0, 5).join('; ')}`;
}

export function redactionNotes(r: Redactor): string[] {
  const counts = Object.entries(r.counts() as Record<string, number>).filter(([, n]) => n > 0);
  return counts.length === 0
    ? []
    : [`redacted before sending: ${counts.map(([k, n]) => `${n} ${k}`).join(', ')}`];
}

export function refNames(r: { cluster: string; namespace?: string | undefined; name: string }): string[] {
  return [r.cluster, r.name, ...(r.namespace ? [r.namespace] : [])];
}

/** Names in tool output (objects with kind and name, and source fields) go to the anonymiser. */
export function registerNames(redactor: Redactor, data: unknown, depth = 0): void {
  if (typeof data === 'string') {
    // References written as text: `cluster/namespace/Kind/name`.
    const m = /^([a-z0-9][a-z0-9.-]*)\/([a-z0-9][a-z0-9.-]*|-)\/[A-Z][A-Za-z]+\/([a-z0-9][a-z0-9.-]*)$/.exec(
      data,
    );
    if (m) redactor.addNames([m[1] as string, m[3] as string, ...(m[2] !== '-' ? [m[2] as string] : [])]);
    return;
  }
  if (depth > 8 || data === null || typeof data !== 'object') return;
  if (Array.isArray(data)) {
    for (const d of data) registerNames(redactor, d, depth + 1);
    return;
  }
  const o = data as Record<string, unknown>;
  const names: string[] = [];
  for (const key of ['cluster', 'namespace', 'pod', 'workload', 'service', 'node']) {
    const v = o[key];
    if (typeof v === 'string') names.push(v);
  }
  if (typeof o['kind'] === 'string' && typeof o['name'] === 'string') names.push(o['name']);
  if (names.length > 0) redactor.addNames(names);
  for (const v of Object.values(o)) registerNames(redactor, v, depth + 1);
}

/**
 * Every message's text through the secret redactor: the one door out of Sleuth to the endpoint.
 * (Names were masked where data was fenced; masking here would rewrite Sleuth's own prompts.)
 */
export function redactMessages(
  messages: ChatCompletionMessageParam[],
  r: Redactor,
): ChatCompletionMessageParam[] {
  return messages.map((m) => {
    if (typeof m.content === 'string') return { ...m, content: r.redactSecrets(m.content) };
    if (m.role === 'assistant' && m.tool_calls) {
      return {
        ...m,
        tool_calls: m.tool_calls.map((c) =>
          c.type === 'function'
            ? { ...c, function: { ...c.function, arguments: r.redactSecrets(c.function.arguments) } }
            : c,
        ),
      };
    }
    return m;
  });
}

export function incidentText(inc: Incident): string {
  return [
    `id: ${inc.id}`,
    `title: ${inc.title}`,
    `severity: ${inc.severity}; status: ${inc.status}`,
    `started: ${new Date(inc.startMs).toISOString()}; updated: ${new Date(inc.updatedMs).toISOString()}${inc.resolvedMs ? `; resolved: ${new Date(inc.resolvedMs).toISOString()}` : ''}`,
    `resources: ${inc.resources.slice(0, 30).map(refKey).join(', ')}${inc.resources.length > 30 ? ` (and ${inc.resources.length - 30} more)` : ''}`,
    `anomalies: ${inc.anomalyIds.length} (list_anomalies or get_incident shows them)`,
  ].join('\n');
}
