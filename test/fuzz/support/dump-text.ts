import fc from 'fast-check';
import { blankedJson, deepJson, mutatedJson, shortWildString, text, wildJson } from './arbitraries';

/**
 * What `kubectl cluster-info dump` writes, and what a damaged or hand-made dump may hold: JSON
 * documents (whole, indented, cut short, nested past every limit, with fields of the wrong type),
 * log sections (well-formed, unterminated, interleaved, with and without timestamps) and stray text.
 */

export const ns = fc.constantFrom('shop', 'kube-system');
export const podName = fc.constantFrom('cart-7d9f', 'api-0', 'web');
export const container = fc.constantFrom('app', 'sidecar', 'init');
export const time = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

const pod = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('Pod'),
  metadata: fc.record({
    name: podName,
    namespace: ns,
    uid: fc.uuid(),
    labels: fc.dictionary(text, text, { maxKeys: 2 }),
    ownerReferences: fc.array(
      fc.record({
        kind: fc.constantFrom('ReplicaSet', 'StatefulSet', 'Job'),
        name: text,
        controller: fc.boolean(),
      }),
      { maxLength: 2 },
    ),
  }),
  spec: fc.record({ nodeName: text, containers: fc.array(fc.record({ name: container }), { maxLength: 2 }) }),
  status: fc.record({
    containerStatuses: fc.array(
      fc.record({
        name: container,
        restartCount: fc.nat(5),
        containerID: text,
        state: fc.oneof(
          fc.record({ running: fc.record({ startedAt: time }) }),
          fc.record({ terminated: fc.record({ startedAt: time, finishedAt: time, exitCode: fc.integer() }) }),
        ),
        lastState: fc.record({ terminated: fc.record({ startedAt: time, finishedAt: time }) }),
      }),
      { maxLength: 2 },
    ),
  }),
});
const event = fc.record({
  apiVersion: fc.constantFrom('v1', 'events.k8s.io/v1'),
  kind: fc.constant('Event'),
  metadata: fc.record({ name: text, namespace: ns, creationTimestamp: time }),
  involvedObject: fc.record({ kind: fc.constant('Pod'), name: podName, namespace: ns }),
  reason: fc.constantFrom('BackOff', 'OOMKilling', 'Scheduled'),
  message: text,
  type: fc.constantFrom('Normal', 'Warning'),
  lastTimestamp: time,
  count: fc.nat(10),
});
const secret = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('Secret'),
  metadata: fc.record({ name: text, namespace: ns }),
  data: fc.dictionary(text, text, { maxKeys: 2 }),
});
const object = fc.oneof(pod, event, secret);
const list = fc
  .tuple(fc.constantFrom('List', 'PodList', 'EventList'), fc.array(object, { maxLength: 2 }))
  .map(([kind, items]) => ({ apiVersion: 'v1', kind, items }));
const document = fc.oneof(
  object,
  list,
  mutatedJson(list),
  blankedJson(list),
  mutatedJson(object),
  deepJson.map((v) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'deep' }, data: v })),
  wildJson,
);
/** A document as kubectl writes it (indented), on one line, or cut short. */
const documentText = fc
  .tuple(document, fc.constantFrom(0, 2, 4), fc.option(fc.nat(), { nil: undefined }))
  .map(([doc, indent, cut]) => {
    const compact = JSON.stringify(doc) ?? 'null';
    // Indenting a document nested 150 deep would make it 45 KB: those stay on one line.
    const t = compact.length > 2000 ? compact : (JSON.stringify(doc, null, indent) ?? 'null');
    return cut === undefined ? t : t.slice(0, cut % (t.length + 1));
  });

const logLine = fc.oneof(
  text,
  shortWildString,
  fc.tuple(time, text).map(([t, s]) => `${t} ${s}`),
  fc.constantFrom(
    '',
    '   ',
    '{"level":"error","msg":"boom"}',
    '==== END logs for container x of pod a/b ====',
  ),
);
const section = fc
  .record({
    container,
    ns,
    pod: podName,
    lines: fc.array(logLine, { maxLength: 4 }),
    end: fc.constantFrom('end', 'none', 'other', 'inline', 'error'),
  })
  .map((s) => {
    const id = `${s.container} of pod ${s.ns}/${s.pod}`;
    const out = [`==== START logs for container ${id} ====`];
    if (s.end === 'error') out.push('Request log error: the server could not find the requested resource');
    out.push(...s.lines);
    const marker = `==== END logs for container ${id} ====`;
    if (s.end === 'end') out.push(marker);
    if (s.end === 'other') out.push('==== END logs for container other of pod x/y ====');
    if (s.end === 'inline') out.push(`last words${marker}`);
    return out.join('\n');
  });

/** A whole dump stream: documents, sections and stray lines, with \n or \r\n line ends. */
export const dump = fc
  .tuple(
    fc.array(fc.oneof(documentText, section, shortWildString), { maxLength: 4 }),
    fc.constantFrom('\n', '\r\n'),
  )
  .map(([parts, eol]) => parts.join('\n').replaceAll('\n', eol));
