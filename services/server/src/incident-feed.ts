import { z } from 'zod';
import { EpochMsSchema, Incident, IncidentSeverity, ResourceRef, type Logger } from '@sleuth/core';

export const IncidentChange = z.enum(['opened', 'updated', 'resolved', 'reopened']);
export type IncidentChange = z.infer<typeof IncidentChange>;

/** What the live stream says about an incident each time it changes: enough to list it, not its evidence. */
export const IncidentNotice = z.object({
  change: IncidentChange,
  id: z.string(),
  status: Incident.shape.status,
  severity: IncidentSeverity,
  title: z.string(),
  startMs: EpochMsSchema,
  updatedMs: EpochMsSchema,
  resolvedMs: EpochMsSchema.optional(),
  clusters: z.array(z.string()),
  anomalies: z.number().int().nonnegative(),
  /** The rank-1 root cause, when the incident has one. */
  topRootCause: z
    .object({
      id: z.string(),
      failureMode: z.string(),
      resource: ResourceRef,
      hypothesis: z.string(),
      confidence: z.number(),
    })
    .optional(),
});
export type IncidentNotice = z.infer<typeof IncidentNotice>;

const ranking = (i: Incident): string => i.rootCauses.map((c) => `${c.id}:${c.confidence}`).join(',');

/**
 * How `after` differs from the stored `before` in a way a person watching cares about: opened,
 * resolved, reopened, or updated (new anomalies or resources, another severity, a new ranking of
 * root causes). Undefined when only times moved.
 */
export function classifyChange(before: Incident | undefined, after: Incident): IncidentChange | undefined {
  if (!before) return after.status === 'open' ? 'opened' : 'resolved';
  if (before.status !== after.status) return after.status === 'resolved' ? 'resolved' : 'reopened';
  const anomaliesAdded = after.anomalyIds.some((id) => !before.anomalyIds.includes(id));
  if (
    anomaliesAdded ||
    after.resources.length !== before.resources.length ||
    after.severity !== before.severity ||
    ranking(after) !== ranking(before)
  ) {
    return 'updated';
  }
  return undefined;
}

export function noticeOf(change: IncidentChange, i: Incident): IncidentNotice {
  const top = [...i.rootCauses].sort((a, b) => a.rank - b.rank)[0];
  return {
    change,
    id: i.id,
    status: i.status,
    severity: i.severity,
    title: i.title,
    startMs: i.startMs,
    updatedMs: i.updatedMs,
    ...(i.resolvedMs === undefined ? {} : { resolvedMs: i.resolvedMs }),
    clusters: [...new Set(i.resources.map((r) => r.cluster))],
    anomalies: i.anomalyIds.length,
    ...(top
      ? {
          topRootCause: {
            id: top.id,
            failureMode: top.failureMode,
            resource: top.resource,
            hypothesis: top.hypothesis,
            confidence: top.confidence,
          },
        }
      : {}),
  };
}

export type IncidentListener = (notice: IncidentNotice) => void;

/**
 * In-process fan-out of incident changes from the incident pipeline to live streams. `publish`
 * is called after each incident write with the state it replaced; listeners run synchronously and
 * one that throws is logged and never stops the others or the pipeline.
 */
export class IncidentFeed {
  private readonly listeners = new Set<IncidentListener>();

  constructor(private readonly logger?: Logger) {}

  /** Adds a listener; returns the function that removes it (safe to call twice). */
  subscribe(listener: IncidentListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Tells every listener when `after` changed from `before` in a way that matters (classifyChange). */
  publish(after: Incident, before: Incident | undefined): void {
    if (this.listeners.size === 0) return;
    const change = classifyChange(before, after);
    if (change === undefined) return;
    const notice = noticeOf(change, after);
    for (const listener of [...this.listeners]) {
      try {
        listener(notice);
      } catch (err) {
        this.logger?.warn({ err, incident: after.id }, 'an incident stream listener failed');
      }
    }
  }
}
