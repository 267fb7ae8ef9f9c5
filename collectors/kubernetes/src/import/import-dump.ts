import { keyValues, type JsonObject } from '@sleuth/pipeline';
import type { OtlpSender } from '../collector';
import type { ObjectChange } from '../informer';
import type { RawObject } from '../kube-api';
import { rfc3339Nanos } from '../pod-logs';
import { containerResource, podInfo, type ContainerInfo } from '../pods';
import { COLLECTOR_SCOPE, objectChangesRequest } from '../records';
import { EVENT_RESOURCES, OBJECT_RESOURCES, type WatchedResource } from '../resources';
import { sanitize } from '../sanitize';
import { readDump, type DumpLog, type Skipped } from './dump-reader';

export interface ImportOptions {
  /** The cluster's name in Sleuth. */
  cluster: string;
  sender: OtlpSender;
  /** Records per request. */
  batchSize?: number;
  signal?: AbortSignal;
}

export interface ImportSummary {
  cluster: string;
  files: number;
  /** Objects sent, by kind (events not included). */
  objects: Record<string, number>;
  events: number;
  logLines: number;
  /** Log lines whose time was assigned (the dump has none), not read. */
  logLinesTimed: number;
  skipped: Skipped[];
}

/** The resource an object belongs to: one Sleuth watches, or one made up from its apiVersion. */
function resourceOf(o: RawObject): WatchedResource {
  const kind = o.kind ?? '';
  const [group, version] = (o.apiVersion ?? 'v1').includes('/')
    ? (o.apiVersion ?? '').split('/')
    : ['', o.apiVersion ?? 'v1'];
  if (kind === 'Event')
    return group === 'events.k8s.io' ? EVENT_RESOURCES.preferred : EVENT_RESOURCES.fallback;
  return (
    OBJECT_RESOURCES.find((r) => r.kind === kind && r.group === group) ?? {
      group: group ?? '',
      version: version ?? 'v1',
      kind,
      plural: `${kind.toLowerCase()}s`,
      namespaced: o.metadata?.namespace !== undefined,
    }
  );
}

/**
 * Times for a container's log lines, which a dump has without timestamps: a line that begins with
 * an RFC 3339 time keeps it; the others are spread evenly, in order, over the container's run
 * (state or lastState startedAt to finishedAt, else to when the dump was written).
 */
function lineTimes(
  log: DumpLog,
  raw: RawObject | undefined,
): { nanos: bigint; text: string; read: boolean }[] {
  const statuses = [
    ...(((raw?.['status'] as { initContainerStatuses?: unknown[] } | undefined)?.initContainerStatuses ??
      []) as Record<string, unknown>[]),
    ...(((raw?.['status'] as { containerStatuses?: unknown[] } | undefined)?.containerStatuses ??
      []) as Record<string, unknown>[]),
  ];
  const s = statuses.find((x) => x['name'] === log.container) as
    | {
        state?: Record<string, { startedAt?: string; finishedAt?: string }>;
        lastState?: Record<string, { startedAt?: string; finishedAt?: string }>;
      }
    | undefined;
  const run = s?.state?.['running'] ?? s?.state?.['terminated'] ?? s?.lastState?.['terminated'];
  const endMs = Date.parse(run?.finishedAt ?? '') || log.fileMs;
  let startMs = Date.parse(run?.startedAt ?? '') || endMs - log.lines.length * 1000;
  if (startMs > endMs) startMs = endMs;
  const step = log.lines.length > 1 ? (endMs - startMs) / (log.lines.length - 1) : 0;
  return log.lines.map((line, i) => {
    const space = line.indexOf(' ');
    const ts = space > 0 ? rfc3339Nanos(line.slice(0, space)) : undefined;
    if (ts !== undefined) return { nanos: ts, text: line.slice(space + 1), read: true };
    return { nanos: BigInt(Math.round(startMs + step * i)) * 1_000_000n, text: line, read: false };
  });
}

/**
 * Imports a cluster dump (see readDump) through a sender, as the live collector would have sent
 * it: objects (Secrets masked, managedFields dropped) in the k8sobjects shape, then Events, then
 * container logs as OTLP log records with the pod's k8s.* attributes. Bad files and items are
 * skipped with a reason in the summary; the rest is imported.
 */
export async function importDump(path: string, opts: ImportOptions): Promise<ImportSummary> {
  const batch = opts.batchSize ?? 1000;
  const send = (signal: 'logs', request: JsonObject) =>
    opts.sender.send(signal, request, opts.signal ? { signal: opts.signal } : {});
  const dump = await readDump(path);
  const summary: ImportSummary = {
    cluster: opts.cluster,
    files: dump.files,
    objects: {},
    events: 0,
    logLines: 0,
    logLinesTimed: 0,
    skipped: dump.skipped,
  };
  const now = Date.now();

  // Objects grouped by resource (owners first, as the collector starts them), then Events.
  const byResource = new Map<WatchedResource, RawObject[]>();
  const order = [...OBJECT_RESOURCES];
  for (const o of dump.objects) {
    const r = resourceOf(o);
    if (!order.includes(r)) order.push(r);
    const list = byResource.get(r) ?? [];
    list.push(sanitize(o));
    byResource.set(r, list);
  }
  const events = [EVENT_RESOURCES.preferred, EVENT_RESOURCES.fallback];
  for (const r of [...order.filter((x) => !events.includes(x)), ...events]) {
    const items = byResource.get(r);
    if (!items) continue;
    for (let i = 0; i < items.length; i += batch) {
      const changes: ObjectChange[] = items
        .slice(i, i + batch)
        .map((object) => ({ type: 'ADDED', object, observedMs: now }));
      await send('logs', objectChangesRequest(opts.cluster, r, changes));
    }
    if (r.kind === 'Event') summary.events += items.length;
    else summary.objects[r.kind] = (summary.objects[r.kind] ?? 0) + items.length;
  }

  // Container logs, with the pod's attributes when the pod is in the dump.
  const pods = new Map<string, RawObject>();
  for (const o of dump.objects) {
    if (o.kind === 'Pod' && o.metadata?.name) pods.set(`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o);
  }
  let records: { resource: Record<string, string | number>; lines: { nanos: bigint; text: string }[] }[] = [];
  let pending = 0;
  const flush = async (): Promise<void> => {
    if (pending === 0) return;
    const observed = (BigInt(now) * 1_000_000n).toString();
    await send('logs', {
      resourceLogs: records.map((r) => ({
        resource: { attributes: keyValues(r.resource) },
        scopeLogs: [
          {
            scope: COLLECTOR_SCOPE,
            logRecords: r.lines.map((l) => ({
              timeUnixNano: l.nanos.toString(),
              observedTimeUnixNano: observed,
              body: { stringValue: l.text },
              attributes: keyValues({ 'log.source': 'kubectl cluster-info dump' }),
            })),
          },
        ],
      })),
    });
    records = [];
    pending = 0;
  };
  for (const log of dump.logs) {
    if (log.lines.length === 0) continue;
    const raw = pods.get(`${log.namespace}/${log.pod}`);
    const pod = raw ? podInfo(raw) : undefined;
    const container: ContainerInfo = pod?.containers.find((c) => c.name === log.container) ?? {
      name: log.container,
      restartCount: 0,
      running: undefined,
      terminated: undefined,
    };
    const resource = pod
      ? containerResource(opts.cluster, pod, container)
      : {
          'k8s.cluster.name': opts.cluster,
          'k8s.namespace.name': log.namespace,
          'k8s.pod.name': log.pod,
          'k8s.container.name': log.container,
        };
    const timed = lineTimes(log, raw);
    for (let i = 0; i < timed.length; i += batch) {
      const chunk = timed.slice(i, i + batch);
      records.push({ resource, lines: chunk });
      pending += chunk.length;
      summary.logLines += chunk.length;
      summary.logLinesTimed += chunk.filter((l) => !l.read).length;
      if (pending >= batch) await flush();
    }
  }
  await flush();
  return summary;
}
