import { findTraces } from './find-traces';
import { getIncident } from './get-incident';
import { getResource } from './get-resource';
import { listAnomalies } from './list-anomalies';
import { listEvents } from './list-events';
import { logTemplates } from './log-templates';
import { promqlQuery } from './promql-query';
import { querySeries } from './query-series';
import { recentChanges } from './recent-changes';
import { searchLogs } from './search-logs';
import type { Tool } from './tool';
import { topology } from './topology';

export * from './tool';

/**
 * Every tool the investigator may call, by the name the model calls it by. Adding a tool is one
 * file and one line here; the registry test checks that each key is its tool's name.
 */
export const TOOL_REGISTRY = {
  search_logs: searchLogs,
  log_templates: logTemplates,
  query_series: querySeries,
  list_anomalies: listAnomalies,
  list_events: listEvents,
  get_resource: getResource,
  topology,
  recent_changes: recentChanges,
  get_incident: getIncident,
  find_traces: findTraces,
  promql_query: promqlQuery,
} satisfies Record<string, Tool>;

export type ToolName = keyof typeof TOOL_REGISTRY;

/**
 * The tools every investigation is offered, in order: finding signals first, then context.
 * {@link toolsFor} adds the ones that need an optional source.
 */
export const TOOLS = [
  getIncident,
  listAnomalies,
  searchLogs,
  logTemplates,
  listEvents,
  querySeries,
  findTraces,
  getResource,
  topology,
  recentChanges,
] as const;

/** Tools offered only when a Prometheus is configured (`prometheus.url`). */
export const PROMETHEUS_TOOLS = [promqlQuery] as const;

/** The tools to offer: {@link TOOLS}, and the Prometheus ones when a Prometheus is configured. */
export function toolsFor(sources: { prometheus: boolean }): readonly Tool[] {
  return sources.prometheus ? [...TOOLS, ...PROMETHEUS_TOOLS] : TOOLS;
}

/** The tool of a name the model used, or undefined for a name no tool has. */
export function toolNamed(name: string): Tool | undefined {
  const byName: Readonly<Record<string, Tool>> = TOOL_REGISTRY;
  return Object.hasOwn(byName, name) ? byName[name] : undefined;
}
