/**
 * The API's answer shapes, taken from the server's own schemas (types only: erased at build), so
 * a change on the server that the UI does not follow fails `npm run check -w ui`.
 */
export type * from '@sleuth/server/api-types';
import type { Incident } from '@sleuth/server/api-types';

export type IncidentSeverity = Incident['severity'];

export interface IncidentPage {
  incidents: Incident[];
  next?: string;
}

export interface IncidentFilters {
  status?: 'open' | 'resolved' | undefined;
  severity?: IncidentSeverity | undefined;
  cluster?: string | undefined;
  namespace?: string | undefined;
  resource?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** `GET /api/v1/status`. */
export interface ServerStatus {
  version: string;
  uptimeSeconds: number;
  /**
   * The whole store's counts and size; a scoped user gets `scope` (what it may see) instead, the
   * fleet-wide totals being beyond it.
   */
  store:
    | { kind: string; counts: Record<string, number>; bytes: number; schemaVersion: number }
    | { kind: string; scope: string };
  ingest: { queuedRecords: number; queueCapacityRecords: number };
  detection: {
    signalClockMs?: number;
    pendingRecords: number;
    droppedBatches: number;
    droppedRecords: number;
  } | null;
  retention: { maxAgeHours: number; maxSizeMb: number };
}
