import { describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING, parseGenericPayload } from './generic';

const NOW = Date.parse('2025-06-01T12:00:00Z');

// Both found by test/fuzz/alert-payloads.fuzz.test.ts; each alert made the store refuse the delivery.
describe('parseGenericPayload on odd alerts', () => {
  it('computes a fingerprint when the sender gives an empty one', () => {
    const mapping = {
      ...DEFAULT_MAPPING,
      alerts: 'events',
      name: 'check',
      status: 'state',
      fingerprint: 'key',
    };
    const body = { events: [{ check: ' ', state: 'firing', key: '', tags: { alertname: ' ' } }] };
    const [alert] = parseGenericPayload(body, mapping, 10, NOW).alerts;
    expect(alert?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('refuses a start time past what a Date can hold, naming the field', () => {
    const body = { alerts: [{ labels: { alertname: 'x' }, status: 'firing', startsAt: 9007199254740994 }] };
    const d = parseGenericPayload(body, undefined, 10, NOW);
    expect(d.alerts).toEqual([]);
    expect(d.rejected).toEqual([
      { index: 0, problem: 'alerts.0.startsAt: not a time (RFC 3339 or Unix time)' },
    ]);
  });
});
