import { getJson, type RequestOptions } from './http';
import { severitiesFrom, type LogFilters } from './logs';
import type { LogTemplateSummary, LogTemplatesAnswer } from './types';

export type { LogTemplateSummary, LogTemplatesAnswer };

export function getLogTemplates(
  filters: LogFilters,
  limit = 20,
  opts?: RequestOptions,
): Promise<LogTemplatesAnswer> {
  const { minSeverity, ...rest } = filters;
  const severity = severitiesFrom(minSeverity);
  return getJson<LogTemplatesAnswer>(
    '/log-templates',
    { ...rest, ...(severity ? { severity: severity.join(',') } : {}), limit },
    opts,
  );
}
