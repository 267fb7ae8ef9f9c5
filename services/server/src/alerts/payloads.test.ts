import { describe, expect, it } from 'vitest';
import { parseWebhookPayload } from './payloads';

describe('parseWebhookPayload', () => {
  // Found by test/fuzz/alert-payloads.fuzz.test.ts: the alert was named '', which the store refuses.
  it('names an alert whose alertname label is empty "alert", as one without it', () => {
    const body = {
      version: '4',
      status: 'firing',
      alerts: [{ status: 'firing', labels: { alertname: '' }, startsAt: '2025-06-01T12:00:00Z' }],
    };
    expect(parseWebhookPayload(body, 'alertmanager', 10).alerts[0]?.name).toBe('alert');
  });
});
