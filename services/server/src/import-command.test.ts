import type { ImportSummary } from '@sleuth/kubernetes';
import { describe, expect, it } from 'vitest';
import { formatSummary, importClusterName } from './import-command';

const summary: ImportSummary = {
  cluster: 'prod-eu',
  files: 4,
  objects: { Service: 2, Pod: 5 },
  events: 7,
  logLines: 120,
  logLinesTimed: 100,
  oldestMs: Date.parse('2026-11-01T00:00:00Z'),
  newestMs: Date.parse('2026-11-02T00:00:00Z'),
  skipped: [
    {
      file: 'shop/pods.json',
      line: 1,
      item: 3,
      reason: 'a List item without kind, apiVersion or metadata.name',
    },
    { file: 'notes.md', reason: 'not a .json, .txt, .log or .dump file' },
  ],
  skippedTotal: 2,
};

describe('sleuth import summary', () => {
  it('says what was imported and where each skipped thing is', () => {
    const text = formatSummary(summary, 72, Date.parse('2026-11-03T00:00:00Z'));
    expect(text.split('\n')).toEqual([
      'Imported into cluster "prod-eu" from 4 files:',
      '  objects: 5 Pod, 2 Service',
      '  events: 7',
      "  log lines: 120 (100 without a timestamp: times spread over the container's run)",
      '  skipped: 2',
      '    shop/pods.json:1 item 3: a List item without kind, apiVersion or metadata.name',
      '    notes.md: not a .json, .txt, .log or .dump file',
    ]);
  });

  it('warns when retention would delete what was just imported', () => {
    const text = formatSummary(summary, 72, Date.parse('2026-11-10T00:00:00Z'));
    expect(text).toMatch(
      /warning: events and log lines go back to 2026-11-01T00:00:00.000Z, older than store.retentionMaxAgeHours \(72 h\)/,
    );
    expect(text).toMatch(/SLEUTH_STORE_RETENTION_MAX_AGE_HOURS/);
  });

  it('names the cluster after the dump folder or file unless told', () => {
    expect(importClusterName('/dumps/prod-eu/', undefined)).toBe('prod-eu');
    expect(importClusterName('/tmp/prod-eu.dump', undefined)).toBe('prod-eu');
    expect(importClusterName('/tmp/prod-eu', 'eu-1')).toBe('eu-1');
  });
});
