import { describe, expect, it } from 'vitest';
import { truncateResult } from './tool-runner';
import type { ToolResult } from './tools/tool';

const size = (r: ToolResult) => JSON.stringify(r).length;

describe('truncateResult', () => {
  it('leaves a result that fits alone', () => {
    const r: ToolResult = { status: 'ok', data: { lines: [1, 2, 3] }, query: { q: 'x' } };
    expect(truncateResult(r, 1000)).toBe(r);
  });

  it('drops the last items of the longest list and says how many it kept', () => {
    const lines = Array.from({ length: 200 }, (_, i) => ({
      evidenceId: `log:${i}`,
      body: `line ${i} `.repeat(10),
    }));
    const r = truncateResult({ status: 'ok', data: { lines, more: false }, query: {} }, 4000);
    expect(size(r)).toBeLessThanOrEqual(4000);
    const kept = (r.data as { lines: unknown[] }).lines;
    expect(kept.length).toBeGreaterThan(0);
    expect(kept[0]).toEqual(lines[0]);
    expect(r.note).toContain(`lines: ${kept.length} of 200 shown`);
  });

  it('stays under the limit when text with quotes is cut, and when the query is huge', () => {
    const quoted = '"quoted" \\ text '.repeat(2000);
    const r = truncateResult(
      { status: 'ok', data: { blob: quoted }, query: { q: 'y'.repeat(30_000) }, note: 'n'.repeat(5000) },
      3000,
    );
    expect(size(r)).toBeLessThanOrEqual(3000);
    expect(r.note).toContain('truncated to fit 3000 characters');
  });
});
