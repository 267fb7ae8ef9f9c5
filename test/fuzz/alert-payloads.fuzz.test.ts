/**
 * Fuzzing the alert webhook decoders (services/server/src/alerts/payloads.ts for Alertmanager v4
 * and Grafana, generic.ts for generic JSON through a mapping): any JSON, valid deliveries with
 * fields replaced or removed, and valid deliveries, which must read back as what was sent.
 */
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { Alert } from '@sleuth/core';
import { DEFAULT_MAPPING, parseGenericPayload } from '../../services/server/src/alerts/generic';
import {
  parseWebhookPayload,
  type IncomingAlert,
  type IncomingDelivery,
} from '../../services/server/src/alerts/payloads';
import { blankedJson, hexId, mutatedJson, text, wildJson, wildString } from './support/arbitraries';
import { decodeOrReject, ensure, fuzz, FUZZ_TEST_TIMEOUT_MS } from './support/fuzz';

const MAX_ALERTS = 50;
const NOW = Date.now();
type Mapping = typeof DEFAULT_MAPPING;

/** The receivers a delivery can reach: both webhook sources and three generic mappings. */
const RECEIVERS: Record<string, (body: unknown) => IncomingDelivery> = {
  alertmanager: (b) => parseWebhookPayload(b, 'alertmanager', MAX_ALERTS),
  grafana: (b) => parseWebhookPayload(b, 'grafana', MAX_ALERTS),
  generic: (b) => parseGenericPayload(b, undefined, MAX_ALERTS, NOW),
  'generic, own mapping': (b) =>
    parseGenericPayload(
      b,
      {
        ...DEFAULT_MAPPING,
        alerts: 'events',
        name: 'check',
        status: 'state',
        fingerprint: 'key',
        startsAt: 'since',
        labels: 'tags',
      },
      MAX_ALERTS,
      NOW,
    ),
  'generic, one alert per body': (b) =>
    parseGenericPayload(b, { ...DEFAULT_MAPPING, alerts: '', fingerprint: '' } satisfies Mapping, 1, NOW),
};
const receiver = fc.constantFrom(...Object.keys(RECEIVERS));

/** What the named receiver reads from `body` (a copy: decoders may keep what they are given). */
function receive(name: string, body: unknown): IncomingDelivery {
  const parse = RECEIVERS[name];
  if (parse === undefined) throw new Error(`no receiver ${name}`);
  return parse(structuredClone(body));
}

/** An alert the store can hold: the stored schema accepts it and its times print. */
function expectStorable(a: IncomingAlert): void {
  Alert.parse({
    ...a,
    id: 'alt_x',
    receiver: 'fuzz',
    source: 'generic',
    cluster: 'fuzz',
    resources: [],
    receivedMs: NOW,
    updatedMs: NOW,
    deliveries: 1,
  });
  new Date(a.startsAt).toISOString();
  if (a.endsAt !== undefined) new Date(a.endsAt).toISOString();
}

function check(name: string, body: unknown): void {
  const r = decodeOrReject(() => receive(name, body));
  if (!r.ok) return;
  const d = r.value;
  const n = d.alerts.length + d.rejected.length;
  ensure(n <= MAX_ALERTS, () => `${n} alerts read, more than the ${MAX_ALERTS} allowed`);
  for (const a of d.alerts) expectStorable(a);
  for (const x of d.rejected) ensure(x.problem !== '', () => `alert ${x.index} rejected without a reason`);
}

/** Times after 1975, so a number of milliseconds never reads as seconds. */
const time = fc.date({
  min: new Date('1975-01-01T00:00:00Z'),
  max: new Date('2200-01-01T00:00:00Z'),
  noInvalidDate: true,
});
const alertName = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 });
const labelKey = fc.oneof(text, wildString).filter((k) => k !== '' && k.length <= 1024 && k !== '__proto__');
const labels = fc.dictionary(labelKey, text, { maxKeys: 4 });
const named = fc.tuple(alertName, labels).map(([name, l]) => ({ ...l, alertname: name }));
const amAlert = fc.record({
  status: fc.constantFrom('firing', 'resolved'),
  labels: named,
  annotations: labels,
  startsAt: time.map((d) => d.toISOString()),
  endsAt: fc.oneof(
    time.map((d) => d.toISOString()),
    fc.constant('0001-01-01T00:00:00Z'),
  ),
  generatorURL: fc.constantFrom(
    'http://prometheus:9090/graph?g0.expr=up',
    'https://grafana.example/alerting/1',
  ),
  fingerprint: hexId(8),
});
const amPayload = fc.record({
  receiver: text,
  status: fc.constantFrom('firing', 'resolved'),
  alerts: fc.array(amAlert, { maxLength: 3 }),
  groupLabels: labels,
  commonLabels: labels,
  groupKey: text,
  version: fc.constant('4'),
  truncatedAlerts: fc.nat(10),
});
/** A start time as a generic sender may write it, with the epoch ms it means. */
const genericStart = time.chain((d) =>
  fc.constantFrom<[unknown, number]>(
    [d.toISOString(), d.getTime()],
    [d.getTime(), d.getTime()],
    [Math.floor(d.getTime() / 1000), Math.floor(d.getTime() / 1000) * 1000],
    [String(Math.floor(d.getTime() / 1000)), Math.floor(d.getTime() / 1000) * 1000],
  ),
);
const genericAlert = fc.record({
  labels: named,
  annotations: labels,
  status: fc.constantFrom('firing', 'resolved', 'OK', 'Closed', 'alerting'),
  fingerprint: fc.oneof(hexId(8), fc.nat()),
  start: genericStart,
  endsAt: time.map((d) => d.toISOString()),
});
const genericBody = genericAlert.map(({ start, ...a }) => ({
  ...a,
  startsAt: start[0],
  wantStart: start[1],
}));
const ownMappingBody = genericAlert.map((a) => ({
  check: a.labels.alertname,
  state: a.status,
  key: a.fingerprint,
  since: a.start[0],
  tags: a.labels,
  wantStart: a.start[1],
}));

/** A valid delivery for each receiver. */
const VALID: Record<string, fc.Arbitrary<unknown>> = {
  alertmanager: amPayload,
  grafana: amPayload,
  generic: fc.record({ alerts: fc.array(genericBody, { maxLength: 3 }) }),
  'generic, own mapping': fc.record({ events: fc.array(ownMappingBody, { maxLength: 3 }) }),
  'generic, one alert per body': genericBody,
};
const delivery = fc.oneof(...Object.entries(VALID).map(([name, arb]) => fc.tuple(fc.constant(name), arb)));

describe('the alert webhook decoders', () => {
  it(
    'answer any JSON with storable alerts or a ValidationError',
    () => {
      fuzz(fc.tuple(receiver, wildJson), ([name, body]) => check(name, body));
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'read valid deliveries with fields replaced, removed or emptied',
    () => {
      const arb = fc.oneof(
        ...Object.entries(VALID).flatMap(([name, valid]) => [
          fc.tuple(fc.constant(name), mutatedJson(valid)),
          fc.tuple(fc.constant(name), blankedJson(valid)),
        ]),
      );
      fuzz(arb, ([name, body]) => check(name, body));
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'read a valid delivery as what was sent',
    () => {
      fuzz(delivery, ([name, body]) => {
        const d = receive(name, body);
        const b = body as Record<string, unknown>;
        const sent = (name === 'generic, one alert per body' ? [b] : (b['alerts'] ?? b['events'])) as Record<
          string,
          unknown
        >[];
        assert.deepStrictEqual(d.rejected, []);
        assert.equal(d.alerts.length, sent.length);
        d.alerts.forEach((a, i) => {
          const s = sent[i] ?? {};
          expectStorable(a);
          const sentLabels = (s['labels'] ?? s['tags']) as Record<string, string>;
          assert.deepStrictEqual(a.labels, { ...sentLabels });
          assert.equal(a.name, sentLabels['alertname']?.slice(0, 500));
          assert.equal(a.startsAt, s['wantStart'] ?? Date.parse(s['startsAt'] as string));
        });
      });
    },
    FUZZ_TEST_TIMEOUT_MS,
  );
});
