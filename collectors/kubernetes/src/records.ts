import { msToNanos } from '@sleuth/core';
import { anyValue, keyValues, type JsonObject } from '@sleuth/pipeline';
import type { ObjectChange } from './informer';
import type { WatchedResource } from './resources';

/** The instrumentation scope Sleuth's collector names in what it sends. */
export const COLLECTOR_SCOPE = { name: 'sleuth/collectors/kubernetes', version: '0.1.0' };

/**
 * Object changes as one OTLP logs export request in the OpenTelemetry Collector's
 * k8sobjectsreceiver watch format (body `{type, object}`, `event.domain: k8s`,
 * `k8s.resource.name`), the shape Sleuth's receivers turn into object snapshots, tombstones and
 * Kubernetes events. The same request goes to the server in-process or from an agent over HTTP.
 */
export function objectChangesRequest(
  cluster: string,
  resource: WatchedResource,
  changes: readonly ObjectChange[],
): JsonObject {
  const logRecords = changes.map((c) => {
    const nanos = msToNanos(c.observedMs);
    return {
      timeUnixNano: nanos,
      observedTimeUnixNano: nanos,
      body: anyValue({ type: c.type, object: c.object } as Parameters<typeof anyValue>[0]),
      attributes: keyValues({
        'event.domain': 'k8s',
        'event.name': resource.plural,
        'k8s.resource.name': resource.plural,
      }),
    };
  });
  return {
    resourceLogs: [
      {
        resource: { attributes: keyValues({ 'k8s.cluster.name': cluster }) },
        scopeLogs: [{ scope: COLLECTOR_SCOPE, logRecords }],
      },
    ],
  };
}
