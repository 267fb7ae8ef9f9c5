import type { z } from 'zod';
import type { Store } from '@sleuth/store';
import type { TopologySource } from '../../topology/source';
import type { PromQLSource } from '../../prometheus/source';
import type { EvidenceRegistry } from '../evidence';

/** What every tool result looks like to the model. */
export interface ToolResult {
  /** ok: `data` answers the query; no_data: the query was valid and matched nothing; error: it failed. */
  status: 'ok' | 'error' | 'no_data';
  data: unknown;
  /** The query as the tool understood it (defaults applied), echoed so the model can correct it. */
  query: unknown;
  /** Why the result is partial or failed, in words (truncation, a bad parameter, a store error). */
  note?: string;
}

/** What a tool may read: the store, topology and Prometheus, as of one instant. Nothing here can write. */
export interface ToolContext {
  store: Store;
  topology: TopologySource;
  /** The investigation's "now" (epoch ms): default windows end here. */
  nowMs: number;
  /** Records each citable record a tool returns; its ids go to the model as `evidenceId`. */
  evidence: EvidenceRegistry;
  /** Default cluster when the model names none and Sleuth holds exactly one. */
  defaultCluster?: string;
  /** The configured Prometheus (`prometheus.url`), read by `promql_query`; absent when none is. */
  prometheus?: PromQLSource;
}

/**
 * A read-only tool the LLM investigator may call: a name and description the model sees, zod
 * parameters (sent to the model as JSON Schema, and checked before `run`), and `run`, which reads
 * the store and answers in the {@link ToolResult} envelope. `run` never throws for a bad query or an
 * empty answer; the runner turns an unexpected throw into an `error` result echoing the query.
 */
export interface Tool<P extends z.ZodObject = z.ZodObject> {
  name: string;
  description: string;
  params: P;
  readOnly: true;
  run(params: z.output<P>, ctx: ToolContext): Promise<ToolResult>;
}

/** Builds a tool with its parameter types inferred (`satisfies` keeps the literal checks). */
export function defineTool<P extends z.ZodObject>(tool: Tool<P>): Tool<P> {
  return tool;
}

export const ok = (data: unknown, query: unknown, note?: string): ToolResult =>
  note ? { status: 'ok', data, query, note } : { status: 'ok', data, query };
export const noData = (query: unknown, note: string): ToolResult => ({
  status: 'no_data',
  data: null,
  query,
  note,
});
export const toolError = (query: unknown, note: string): ToolResult => ({
  status: 'error',
  data: null,
  query,
  note,
});
