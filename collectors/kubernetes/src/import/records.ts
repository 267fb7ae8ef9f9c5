import { keyValues, type JsonObject } from '@sleuth/pipeline';
import { COLLECTOR_SCOPE } from '../records';

/** What an imported log record says of where it came from (`log.source`). */
export const DUMP_LOG_SOURCE = 'kubectl cluster-info dump';

/** Container log lines of one resource (a container of a pod), in order. */
export interface ContainerLines {
  resource: Record<string, string | number>;
  lines: { nanos: bigint; text: string }[];
  /** The lines are the container's previous instance's (marked `k8s.container.previous`, as live). */
  previous?: boolean;
}

/**
 * Container log lines from a dump as one OTLP logs export request, in the shape the live
 * collector sends pod logs (a resource per container with its k8s.* attributes, the collector's
 * scope), each record marked `log.source: kubectl cluster-info dump`, and a previous instance's
 * lines `k8s.container.previous: true` as the live collector marks them.
 */
export function dumpLogsRequest(groups: readonly ContainerLines[], observedMs: number): JsonObject {
  const observed = (BigInt(Math.round(observedMs)) * 1_000_000n).toString();
  const attributes = keyValues({ 'log.source': DUMP_LOG_SOURCE });
  const previous = keyValues({ 'log.source': DUMP_LOG_SOURCE, 'k8s.container.previous': true });
  return {
    resourceLogs: groups.map((g) => ({
      resource: { attributes: keyValues(g.resource) },
      scopeLogs: [
        {
          scope: COLLECTOR_SCOPE,
          logRecords: g.lines.map((l) => ({
            timeUnixNano: l.nanos.toString(),
            observedTimeUnixNano: observed,
            body: { stringValue: l.text },
            attributes: g.previous ? previous : attributes,
          })),
        },
      ],
    })),
  };
}
