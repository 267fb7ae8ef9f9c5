import type { JsonObject } from '@sleuth/pipeline';
import type { OtlpSender } from '../collector';
import type { RawObject } from '../kube-api';
import { objectChangesRequest } from '../records';
import { EVENT_RESOURCES, OBJECT_RESOURCES, type WatchedResource } from '../resources';
import { sanitize } from '../sanitize';
import { readDump, type DumpItem, type DumpLogSection, type Skipped } from './dump-reader';
import { lineTime, PodIndex, type Placement } from './log-times';
import { dumpLogsRequest, type ContainerLines } from './records';

export interface ImportOptions {
  /** The cluster's name in Sleuth (k8s.cluster.name of everything imported). */
  cluster: string;
  sender: OtlpSender;
  /** Records per request (default 1,000). */
  batchSize?: number;
  signal?: AbortSignal;
}

/** What an import did, for a person to read. */
export interface ImportSummary {
  cluster: string;
  /** Files read. */
  files: number;
  /** Objects sent, by kind (Events not included). */
  objects: Record<string, number>;
  events: number;
  logLines: number;
  /** Log lines whose time was assigned (they had none), not read. */
  logLinesTimed: number;
  /** Oldest and newest times of the log lines and events sent, epoch ms (for retention). */
  oldestMs: number | undefined;
  newestMs: number | undefined;
  /** What was skipped, the first MAX_SKIPPED_KEPT of them; `skippedTotal` counts all. */
  skipped: Skipped[];
  skippedTotal: number;
}

const MAX_SKIPPED_KEPT = 500;

/** The resource an object belongs to: one Sleuth watches, or one made up from its apiVersion. */
function resourceOf(o: RawObject): WatchedResource {
  const kind = o.kind ?? '';
  const apiVersion = o.apiVersion ?? 'v1';
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  if (kind === 'Event')
    return group === 'events.k8s.io' ? EVENT_RESOURCES.preferred : EVENT_RESOURCES.fallback;
  return (
    OBJECT_RESOURCES.find((r) => r.kind === kind && r.group === group) ?? {
      group,
      version,
      kind,
      plural: `${kind.toLowerCase()}s`,
      namespaced: o.metadata?.namespace !== undefined,
    }
  );
}

/** When an event last happened, as kubectl serves either API's Event. */
function eventMs(o: RawObject): number | undefined {
  const times = ['lastTimestamp', 'eventTime', 'deprecatedLastTimestamp', 'firstTimestamp'].map((f) => o[f]);
  for (const v of [...times, o.metadata?.['creationTimestamp']]) {
    const t = typeof v === 'string' ? Date.parse(v) : NaN;
    if (!Number.isNaN(t)) return t;
  }
  return undefined;
}

/** Imports the cluster dump at `path` (a folder or a file, see readDump); see importItems. */
export function importDump(path: string, opts: ImportOptions): Promise<ImportSummary> {
  return importItems(readDump(path), opts);
}

/**
 * Imports a cluster dump, as readDump or readDumpLines read it, through a sender, as the live
 * collector would have sent it: objects (Secrets masked, managedFields dropped) and Events in the
 * k8sobjects shape, observed when the dump was written (its files' time); container logs as OTLP
 * log records with the pod's k8s.* attributes, at most `batchSize` records per request. Bad files
 * and items are skipped with a reason in the summary; the rest is imported. Rejects when the
 * sender fails (after its own retries) or the dump cannot be read.
 */
export async function importItems(
  items: AsyncIterable<DumpItem>,
  opts: ImportOptions,
): Promise<ImportSummary> {
  const batch = opts.batchSize ?? 1000;
  const send = (request: JsonObject): Promise<void> =>
    opts.sender.send('logs', request, opts.signal ? { signal: opts.signal } : {});
  const summary: ImportSummary = {
    cluster: opts.cluster,
    files: 0,
    objects: {},
    events: 0,
    logLines: 0,
    logLinesTimed: 0,
    oldestMs: undefined,
    newestMs: undefined,
    skipped: [],
    skippedTotal: 0,
  };
  const skip = (s: Skipped): void => {
    summary.skippedTotal++;
    if (summary.skipped.length < MAX_SKIPPED_KEPT) summary.skipped.push(s);
  };
  const seen = (ms: number): void => {
    if (summary.oldestMs === undefined || ms < summary.oldestMs) summary.oldestMs = ms;
    if (summary.newestMs === undefined || ms > summary.newestMs) summary.newestMs = ms;
  };
  const pods = new PodIndex();

  const sendObjects = async (item: Extract<DumpItem, { type: 'objects' }>): Promise<void> => {
    const byResource = new Map<WatchedResource, RawObject[]>();
    for (const o of item.objects) {
      const r = resourceOf(o);
      const list = byResource.get(r);
      if (list) list.push(sanitize(o));
      else byResource.set(r, [sanitize(o)]);
      if (o.kind === 'Pod') pods.add(o);
    }
    for (const [r, objects] of byResource) {
      for (let i = 0; i < objects.length; i += batch) {
        const changes = objects
          .slice(i, i + batch)
          .map((object) => ({ type: 'ADDED' as const, object, observedMs: item.fileMs }));
        await send(objectChangesRequest(opts.cluster, r, changes));
      }
      if (r.kind === 'Event') {
        summary.events += objects.length;
        for (const o of objects) {
          const t = eventMs(o);
          if (t !== undefined) seen(t);
        }
      } else {
        summary.objects[r.kind] = (summary.objects[r.kind] ?? 0) + objects.length;
      }
    }
  };

  let groups: ContainerLines[] = [];
  let pending = 0;
  const flushLogs = async (): Promise<void> => {
    if (pending === 0) return;
    const request = dumpLogsRequest(groups, Date.now());
    groups = [];
    pending = 0;
    await send(request);
  };
  let placed: { section: DumpLogSection; placement: Placement } | undefined;
  const sendLog = async (item: Extract<DumpItem, { type: 'log' }>): Promise<void> => {
    if (placed?.section !== item.section) {
      placed = { section: item.section, placement: pods.place(opts.cluster, item.section) };
      if (!placed.placement.ok)
        skip({
          file: item.section.file,
          reason: `${item.section.total} log lines: ${placed.placement.reason}`,
        });
    }
    const placement = placed.placement;
    if (!placement.ok) return;
    const lines = item.lines.map((line, j) => lineTime(line, item.first + j, placement));
    for (const l of lines) {
      if (l.assigned) summary.logLinesTimed++;
      seen(Number(l.nanos / 1_000_000n));
    }
    summary.logLines += lines.length;
    for (let i = 0; i < lines.length;) {
      const take = Math.min(lines.length - i, batch - pending);
      groups.push({
        resource: placement.resource,
        lines: lines.slice(i, i + take),
        ...(placement.previous ? { previous: true } : {}),
      });
      pending += take;
      i += take;
      if (pending >= batch) await flushLogs();
    }
  };

  for await (const item of items) {
    opts.signal?.throwIfAborted();
    if (item.type === 'file') summary.files++;
    else if (item.type === 'skipped') skip(item.skipped);
    else if (item.type === 'objects') await sendObjects(item);
    else await sendLog(item);
  }
  await flushLogs();
  return summary;
}
