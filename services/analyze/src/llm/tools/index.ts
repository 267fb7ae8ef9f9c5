import { findTraces } from './find-traces';
import { getIncident } from './get-incident';
import { getResource } from './get-resource';
import { listAnomalies } from './list-anomalies';
import { listEvents } from './list-events';
import { logTemplates } from './log-templates';
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
} satisfies Record<string, Tool>;

export type ToolName = keyof typeof TOOL_REGISTRY;

/** The tools in the order they are offered to the model: finding signals first, then context. */
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

/** The tool of a name the model used, or undefined for a name no tool has. */
export function toolNamed(name: string): Tool | undefined {
  const byName: Readonly<Record<string, Tool>> = TOOL_REGISTRY;
  return Object.hasOwn(byName, name) ? byName[name] : undefined;
}
