import { getJson, type RequestOptions } from './http';
import type { LogPage } from '@sleuth/store';
import type { LogRecord, Severity } from './types';

/** Sleuth's log severities, least severe first (the server's order). */
export const LOG_SEVERITIES = [
  'trace',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
] as const satisfies readonly Severity[];

/** The severities at or above `min`, as the API's `severity` list; undefined for no minimum. */
export function severitiesFrom(min: Severity | undefined): Severity[] | undefined {
  if (!min) return undefined;
  const i = LOG_SEVERITIES.indexOf(min);
  return i <= 0 ? undefined : LOG_SEVERITIES.slice(i);
}

/** What `GET /api/v1/logs` filters on. `from`/`to`: epoch ms, RFC 3339, `now` or `now-15m`. */
export interface LogFilters {
  q?: string | undefined;
  cluster?: string | undefined;
  namespace?: string | undefined;
  workload?: string | undefined;
  pod?: string | undefined;
  /** The lowest severity shown. */
  minSeverity?: Severity | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** A page of log lines, newest first; `nextCursor` reads the next, older page. */
export type { LogPage };

export function searchLogs(
  filters: LogFilters,
  page: { limit?: number; cursor?: string | undefined } = {},
  opts?: RequestOptions,
): Promise<LogPage> {
  const { minSeverity, ...rest } = filters;
  const severity = severitiesFrom(minSeverity);
  return getJson<LogPage>(
    '/logs',
    {
      ...rest,
      ...(severity ? { severity: severity.join(',') } : {}),
      limit: page.limit,
      cursor: page.cursor,
    },
    opts,
  );
}

/** Log lines by id (`GET /api/v1/logs/by-id`); ids the store no longer holds are left out. */
export async function getLogsById(ids: readonly string[], opts?: RequestOptions): Promise<LogRecord[]> {
  if (ids.length === 0) return [];
  const body = await getJson<{ records: LogRecord[] }>('/logs/by-id', { ids: ids.join(',') }, opts);
  return body.records;
}
