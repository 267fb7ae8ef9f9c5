import type { AttrValue, Attributes, K8sEvent, ResourceRef } from '@sleuth/core';
import type { LogIn } from '../otlp/otlp-model';
import { bodyText, truncateText } from './body-text';
import { isMap, textAttr, timeProblem } from './record-checks';

/** Where a Kubernetes record came from: its resource's attributes, cluster and the receive time. */
export interface K8sRecordContext {
  cluster: string;
  receivedMs: number;
  resource: Attributes;
}

/** Go's `time.Time.String()` layout, which k8seventsreceiver uses for k8s.event.start_time. */
const GO_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) ([+-]\d{2})(\d{2})\b/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/**
 * A Kubernetes timestamp to epoch ms: RFC 3339 (`2024-05-01T10:00:00Z`, with optional fraction) or
 * Go's `2024-05-01 10:00:00 +0000 UTC`. `undefined` for anything else, and for Go's zero time.
 */
export function parseK8sTime(v: AttrValue | undefined): number | undefined {
  if (typeof v !== 'string') return undefined;
  let ms = NaN;
  if (RFC3339.test(v)) ms = Date.parse(v);
  else {
    const m = GO_TIME.exec(v);
    if (m !== null) ms = Date.parse(`${m[1]}T${m[2]}${m[3]}:${m[4]}`);
  }
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

function positiveInt(v: AttrValue | undefined): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : undefined;
}

/** Kubernetes has two event types; the newer receiver also maps Error and Critical, which are warnings here. */
function eventType(text: string, severityNumber: number): K8sEvent['type'] {
  const t = text.toLowerCase();
  if (t === 'normal') return 'Normal';
  if (t === 'warning' || t === 'error' || t === 'critical') return 'Warning';
  return severityNumber >= 13 ? 'Warning' : 'Normal';
}

function involvedRef(
  cluster: string,
  kind: string,
  name: string,
  namespace?: string,
  uid?: string,
): ResourceRef {
  const ref: ResourceRef = { cluster, kind, name };
  if (namespace !== undefined) ref.namespace = namespace;
  if (uid !== undefined) ref.uid = uid;
  return ref;
}

function build(
  base: Omit<K8sEvent, 'uid' | 'namespace' | 'reportingComponent'>,
  optional: {
    uid?: string | undefined;
    namespace?: string | undefined;
    reportingComponent?: string | undefined;
  },
): K8sEvent {
  const event: K8sEvent = base;
  if (base.firstMs > base.lastMs) event.firstMs = base.lastMs;
  if (optional.uid !== undefined) event.uid = optional.uid;
  if (optional.namespace !== undefined) event.namespace = optional.namespace;
  if (optional.reportingComponent !== undefined) event.reportingComponent = optional.reportingComponent;
  return event;
}

/**
 * A k8seventsreceiver-style log record (it has a `k8s.event.reason` attribute) to a K8sEvent: the
 * involved object from the k8s.object.* resource attributes, the type from severityText, the message
 * from the body, lastMs from timeUnixNano and firstMs from k8s.event.start_time. Returns the reason
 * when the record cannot be stored.
 */
export function eventFromLogRecord(rec: LogIn, ctx: K8sRecordContext): K8sEvent | string {
  const a = rec.attributes;
  const res = ctx.resource;
  const kind = textAttr(res, 'k8s.object.kind', 63);
  const name = textAttr(res, 'k8s.object.name');
  if (kind === undefined || name === undefined) {
    return 'Kubernetes event has no k8s.object.kind and k8s.object.name resource attributes';
  }
  const lastMs = rec.timeMs ?? rec.observedMs ?? ctx.receivedMs;
  const problem = timeProblem(
    lastMs,
    rec.timeMs === undefined ? 'observedTimeUnixNano' : 'timeUnixNano',
    ctx.receivedMs,
  );
  if (problem !== undefined) return problem;
  const namespace = textAttr(a, 'k8s.namespace.name') ?? textAttr(res, 'k8s.namespace.name');
  const reason = a['k8s.event.reason'];
  return build(
    {
      cluster: ctx.cluster,
      involved: involvedRef(ctx.cluster, kind, name, namespace, textAttr(res, 'k8s.object.uid', 64)),
      type: eventType(rec.severityText, rec.severityNumber),
      reason: typeof reason === 'string' ? reason.slice(0, 128) : '',
      message: bodyText(rec.body),
      count: positiveInt(a['k8s.event.count']) ?? 1,
      firstMs: parseK8sTime(a['k8s.event.start_time']) ?? lastMs,
      lastMs,
    },
    {
      uid: textAttr(a, 'k8s.event.uid', 64),
      namespace,
      reportingComponent: textAttr(a, 'k8s.event.reporting_controller') ?? textAttr(res, 'k8s.event.source'),
    },
  );
}

/**
 * A watched or pulled Event object (core/v1 or events.k8s.io/v1) to a K8sEvent. `recordMs` is the log
 * record's time, used when the object carries no timestamps of its own.
 */
export function eventFromObject(obj: Attributes, ctx: K8sRecordContext, recordMs: number): K8sEvent | string {
  const involved = isMap(obj['involvedObject'])
    ? obj['involvedObject']
    : isMap(obj['regarding'])
      ? obj['regarding']
      : {};
  const kind = textAttr(involved, 'kind', 63);
  const name = textAttr(involved, 'name');
  if (kind === undefined || name === undefined) {
    return 'Kubernetes Event object has no involvedObject (or regarding) kind and name';
  }
  const metadata = isMap(obj['metadata']) ? obj['metadata'] : {};
  const series = isMap(obj['series']) ? obj['series'] : {};
  const first =
    parseK8sTime(obj['firstTimestamp']) ??
    parseK8sTime(obj['deprecatedFirstTimestamp']) ??
    parseK8sTime(obj['eventTime']) ??
    parseK8sTime(metadata['creationTimestamp']);
  const lastMs =
    parseK8sTime(series['lastObservedTime']) ??
    parseK8sTime(obj['lastTimestamp']) ??
    parseK8sTime(obj['deprecatedLastTimestamp']) ??
    parseK8sTime(obj['eventTime']) ??
    first ??
    recordMs;
  const problem = timeProblem(lastMs, 'the Event lastTimestamp', ctx.receivedMs);
  if (problem !== undefined) return problem;
  const message = textAttr(obj, 'message', Infinity) ?? textAttr(obj, 'note', Infinity) ?? '';
  const reason = textAttr(obj, 'reason', 128) ?? '';
  const namespace = textAttr(metadata, 'namespace') ?? textAttr(involved, 'namespace');
  const source = isMap(obj['source']) ? obj['source'] : {};
  return build(
    {
      cluster: ctx.cluster,
      involved: involvedRef(
        ctx.cluster,
        kind,
        name,
        textAttr(involved, 'namespace'),
        textAttr(involved, 'uid', 64),
      ),
      type: obj['type'] === 'Warning' ? 'Warning' : 'Normal',
      reason,
      message: truncateText(message),
      count:
        positiveInt(series['count']) ?? positiveInt(obj['count']) ?? positiveInt(obj['deprecatedCount']) ?? 1,
      firstMs: first ?? lastMs,
      lastMs,
    },
    {
      uid: textAttr(metadata, 'uid', 64),
      namespace,
      reportingComponent:
        textAttr(obj, 'reportingComponent') ??
        textAttr(obj, 'reportingController') ??
        textAttr(source, 'component'),
    },
  );
}
