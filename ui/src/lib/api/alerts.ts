import { getJson, type RequestOptions } from './http';
import type { Alert } from './types';
// Not yet in @sleuth/server/api-types; type-only, erased at build.
import type { NotificationDelivery as StoredDelivery } from '@sleuth/core';

/** A notification delivery as `GET /notifications` lists it: without the payload sent. */
export type NotificationDelivery = Omit<StoredDelivery, 'payload'>;
/** As `GET /incidents/{id}/notifications` lists it, with the payload (JSON text) that was sent. */
export type NotificationWithPayload = StoredDelivery;

export interface AlertFilters {
  receiver?: string | undefined;
  status?: 'firing' | 'resolved' | undefined;
  incident?: string | undefined;
  fingerprint?: string | undefined;
  limit?: number | undefined;
  /** The `nextCursor` of the previous page. */
  before?: string | undefined;
}

export interface AlertPage {
  alerts: Alert[];
  nextCursor?: string;
}

/** Alerts received, most recently updated first. */
export function listAlerts(filters: AlertFilters = {}, opts?: RequestOptions): Promise<AlertPage> {
  return getJson<AlertPage>('/alerts', { ...filters }, opts);
}

export async function getAlert(id: string, opts?: RequestOptions): Promise<Alert> {
  const body = await getJson<{ alert: Alert }>(`/alerts/${encodeURIComponent(id)}`, {}, opts);
  return body.alert;
}

export interface NotificationFilters {
  channel?: string | undefined;
  status?: 'pending' | 'delivered' | 'failed' | undefined;
  incident?: string | undefined;
  limit?: number | undefined;
}

/** What was sent where, newest first. */
export async function listNotifications(
  filters: NotificationFilters = {},
  opts?: RequestOptions,
): Promise<NotificationDelivery[]> {
  const body = await getJson<{ notifications: NotificationDelivery[] }>(
    '/notifications',
    { ...filters },
    opts,
  );
  return body.notifications;
}

/** An incident's deliveries, with the payloads sent. */
export async function listIncidentNotifications(
  incidentId: string,
  opts?: RequestOptions,
): Promise<NotificationWithPayload[]> {
  const body = await getJson<{ notifications: NotificationWithPayload[] }>(
    `/incidents/${encodeURIComponent(incidentId)}/notifications`,
    {},
    opts,
  );
  return body.notifications;
}
