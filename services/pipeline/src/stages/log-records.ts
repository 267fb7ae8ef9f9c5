import type { LogRecord, SignalBatch, SignalSource } from '@sleuth/core';
import type { LogIn, RequestIn } from '../otlp/otlp-model';
import { bodyText } from './body-text';
import { eventFromLogRecord, type K8sRecordContext } from './k8s-events';
import { isObjectRecord, maskSecretBody, objectFromLogRecord } from './k8s-objects';
import { hexId, timeProblem } from './record-checks';
import type { Rejections } from './rejections';
import { sourceFromResource } from './resource-source';
import { logSeverity } from './severity';

/** What the logs stage needs from the request context. */
export interface LogStageContext {
  defaultCluster: string;
  receivedMs: number;
}

const where = (r: number, s?: number, i?: number): string =>
  `resourceLogs[${r}]` +
  (s === undefined ? '' : `.scopeLogs[${s}]`) +
  (i === undefined ? '' : `.logRecords[${i}]`);

/**
 * Validates and normalises one record into a LogRecord, or says why it cannot be stored. Missing
 * timeUnixNano falls back to observedTimeUnixNano, then to the receive time; an all-zero id is absent.
 */
export function toLogRecord(rec: LogIn, source: SignalSource, receivedMs: number): LogRecord | string {
  let traceId: string | undefined;
  if (rec.traceId !== '') {
    traceId = hexId(rec.traceId, 32);
    if (traceId === undefined) return 'traceId must be 32 hex characters';
  }
  let spanId: string | undefined;
  if (rec.spanId !== '') {
    spanId = hexId(rec.spanId, 16);
    if (spanId === undefined) return 'spanId must be 16 hex characters';
  }
  const observed = rec.observedMs;
  if (observed !== undefined) {
    const problem = timeProblem(observed, 'observedTimeUnixNano', receivedMs);
    if (problem !== undefined) return problem;
  }
  let timeMs = rec.timeMs;
  if (timeMs === undefined) timeMs = observed ?? receivedMs;
  else {
    const problem = timeProblem(timeMs, 'timeUnixNano', receivedMs);
    if (problem !== undefined) return problem;
  }
  const attributes = rec.attributes;
  if (rec.eventName !== '' && attributes['event.name'] === undefined)
    attributes['event.name'] = rec.eventName;
  const log: LogRecord = {
    timeMs,
    source,
    severity: logSeverity(rec.severityNumber, rec.severityText),
    body: bodyText(rec.body),
    attributes,
  };
  if (observed !== undefined) log.observedTimeMs = observed;
  if (traceId) log.traceId = traceId;
  if (spanId) log.spanId = spanId;
  return log;
}

/** Routes one record to a Kubernetes event, a Kubernetes object or a log line; returns why it was dropped, if it was. */
function route(
  rec: LogIn,
  k8s: K8sRecordContext,
  source: SignalSource,
  batch: SignalBatch,
): string | undefined {
  maskSecretBody(rec.body);
  if (typeof rec.attributes['k8s.event.reason'] === 'string') {
    const event = eventFromLogRecord(rec, k8s);
    if (typeof event === 'string') return event;
    batch.events.push(event);
    return undefined;
  }
  if (isObjectRecord(rec)) {
    const out = objectFromLogRecord(rec, k8s);
    if (out === null) return undefined;
    if (typeof out === 'string') return out;
    if ('involved' in out) batch.events.push(out);
    else batch.objects.push(out);
    return undefined;
  }
  const log = toLogRecord(rec, source, k8s.receivedMs);
  if (typeof log === 'string') return log;
  batch.logs.push(log);
  return undefined;
}

/**
 * The logs stage: turns decoded ResourceLogs into LogRecords, K8sEvents and ObjectSnapshots (see
 * docs/otlp-ingest.md for the Kubernetes conventions), appending them to `batch`. Every record that
 * cannot be stored is counted in `rejections` with its reason; the others are kept. Records of one
 * resource share one SignalSource object.
 */
export function normaliseLogs(
  req: RequestIn<LogIn>,
  ctx: LogStageContext,
  batch: SignalBatch,
  rejections: Rejections,
): void {
  for (let r = 0; r < req.length; r++) {
    const resource = req[r];
    if (resource === null || resource === undefined) {
      rejections.reject(where(r), 'is not an object');
      continue;
    }
    const source = sourceFromResource(resource.attributes, ctx.defaultCluster);
    const k8s: K8sRecordContext = {
      cluster: source.cluster,
      receivedMs: ctx.receivedMs,
      resource: resource.attributes,
    };
    for (let s = 0; s < resource.scopes.length; s++) {
      const records = resource.scopes[s];
      if (records === null || records === undefined) {
        rejections.reject(where(r, s), 'is not an object with a logRecords array');
        continue;
      }
      for (let i = 0; i < records.length; i++) {
        const rec = records[i];
        if (rec === null || rec === undefined) {
          rejections.reject(where(r, s, i), 'is not an object');
          continue;
        }
        const problem = route(rec, k8s, source, batch);
        if (problem !== undefined) rejections.reject(where(r, s, i), problem);
      }
    }
  }
}
