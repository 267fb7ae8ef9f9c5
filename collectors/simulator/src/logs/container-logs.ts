import { msToNanos, type Severity } from '@sleuth/core';
import { keyValues } from '../otlp/attributes';
import { runningAt } from '../model/history';
import { SCOPES } from '../model/outbox';
import { podResource } from '../model/resources';
import type { ClusterRuntime } from '../model/runtime';
import type { PodState, WorkloadState } from '../model/state';
import type { LogContext, LogLine } from './dialect';
import { DIALECTS } from './registry';

const SEVERITY_NUMBER: Record<Severity, number> = {
  trace: 1,
  debug: 5,
  info: 9,
  warn: 13,
  error: 17,
  fatal: 21,
};

/** The dialect that formats a workload's logs. */
export function dialectOf(workload: WorkloadState): (typeof DIALECTS)[keyof typeof DIALECTS] {
  return DIALECTS[workload.spec.logFormat];
}

/** A dialect context for a pod at `atMs`. */
export function logContext(
  rt: ClusterRuntime,
  workload: WorkloadState,
  pod: PodState,
  atMs: number,
): LogContext {
  return {
    rng: rt.rng,
    spec: workload.spec,
    pod: pod.name,
    podIp: pod.ip,
    version: pod.revision.template.version,
    atMs,
  };
}

/**
 * Writes a container's lines as the Collector's filelog receiver (container parser) and
 * k8sattributes processor would export them. A line is only written if the container was running
 * at its moment, so logs stop abruptly when a container is killed. `force` writes regardless
 * (the last words of a process that is exiting).
 */
export function writeContainerLines(
  rt: ClusterRuntime,
  workload: WorkloadState,
  pod: PodState,
  atMs: number,
  lines: LogLine[],
  trace?: { traceId?: string; spanId?: string },
  force = false,
): void {
  const c = pod.container;
  const resource = podResource(rt.name, workload, pod, true);
  const path = `/var/log/pods/${workload.spec.namespace}_${pod.name}_${pod.uid}/${workload.spec.name}/${c.restartCount}.log`;
  for (const line of lines) {
    const t = atMs + (line.offsetMs ?? 0);
    if (!force && !runningAt(c, t)) continue;
    rt.outbox.logs.push({
      resource,
      scope: SCOPES.filelog,
      timeMs: t,
      record: {
        timeUnixNano: msToNanos(t),
        observedTimeUnixNano: msToNanos(t + 180),
        severityNumber: SEVERITY_NUMBER[line.severity],
        severityText: line.severity.toUpperCase(),
        body: { stringValue: line.body },
        attributes: keyValues({ 'log.iostream': line.stream, 'log.file.path': path }),
        ...(trace?.traceId && trace.spanId ? { traceId: trace.traceId, spanId: trace.spanId, flags: 1 } : {}),
      },
    });
  }
}
