import { describe, expect, it } from 'vitest';
import { MAX_REASONS, Rejections } from './rejections';

describe('Rejections', () => {
  it('counts every unit but keeps one reason per problem, first place first', () => {
    const r = new Rejections('logs');
    r.reject('resourceLogs[0]', 'is not an object');
    r.reject('resourceLogs[0].scopeLogs[0].logRecords[2]', 'traceId must be 32 hex characters');
    r.reject('resourceLogs[0].scopeLogs[0].logRecords[9]', 'traceId must be 32 hex characters');
    r.reject('resourceLogs[1]', 'metric name is empty', 4);
    expect(r.count).toBe(7);
    expect(r.reasons()).toEqual([
      'logs: resourceLogs[0]: is not an object',
      'logs: resourceLogs[0].scopeLogs[0].logRecords[2]: traceId must be 32 hex characters (2 in total)',
      'logs: resourceLogs[1]: metric name is empty (4 in total)',
    ]);
  });

  it(`reports at most ${MAX_REASONS} reasons`, () => {
    const r = new Rejections('traces');
    for (let i = 0; i < 25; i++) r.reject(`spans[${i}]`, `problem ${i}`);
    expect(r.count).toBe(25);
    expect(r.reasons()).toHaveLength(MAX_REASONS);
  });
});
