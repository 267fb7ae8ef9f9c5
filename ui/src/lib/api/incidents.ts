import { getJson, type RequestOptions } from './http';
import type { Anomaly, IncidentDetail, IncidentFilters, IncidentPage } from './types';

export function listIncidents(filters: IncidentFilters = {}, opts?: RequestOptions): Promise<IncidentPage> {
  return getJson<IncidentPage>('/incidents', { ...filters }, opts);
}

export function getIncident(id: string, opts?: RequestOptions): Promise<IncidentDetail> {
  return getJson<IncidentDetail>(`/incidents/${encodeURIComponent(id)}`, {}, opts);
}

export interface AnomalyFilters {
  cluster?: string | undefined;
  namespace?: string | undefined;
  detector?: string | undefined;
  open?: boolean | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit?: number | undefined;
}

export async function listAnomalies(filters: AnomalyFilters = {}, opts?: RequestOptions): Promise<Anomaly[]> {
  const { open, ...rest } = filters;
  const body = await getJson<{ anomalies: Anomaly[] }>(
    '/anomalies',
    { ...rest, ...(open === undefined ? {} : { open: String(open) }) },
    opts,
  );
  return body.anomalies;
}

/** The live stream of incident changes (Server-Sent Events). */
export const INCIDENT_STREAM_URL = '/api/v1/incidents/stream';
