import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, UnauthorizedError, createLogger, emptyBatch } from '@sleuth/core';
import { AgentTokens, ReplayGuard, parseBatchId, restrictToCluster } from './agents';

const dirs: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tokensFile(text: string): string {
  const d = mkdtempSync(join(tmpdir(), 'sleuth-tokens-'));
  dirs.push(d);
  const f = join(d, 'tokens.yaml');
  writeFileSync(f, text);
  return f;
}
const log = createLogger('silent');

describe('AgentTokens', () => {
  it('names the cluster of a valid bearer token and refuses anything else with 401', () => {
    const t = AgentTokens.load(
      tokensFile('clusters:\n  prod-eu: aaaaaaaaaaaaaaaa1\n  prod-us: bbbbbbbbbbbbbbbb2\n'),
      log,
    );
    expect(t.authenticate('Bearer aaaaaaaaaaaaaaaa1')).toBe('prod-eu');
    expect(t.authenticate('bearer bbbbbbbbbbbbbbbb2')).toBe('prod-us');
    for (const h of [
      undefined,
      '',
      'Basic abc',
      'Bearer aaaaaaaaaaaaaaaa',
      'Bearer aaaaaaaaaaaaaaaa1 extra',
    ]) {
      expect(() => t.authenticate(h)).toThrow(UnauthorizedError);
    }
  });

  it('stops startup naming the key for an unreadable or invalid file', () => {
    expect(() => AgentTokens.load('/nonexistent/tokens.yaml', log)).toThrow(
      /ingest.agentTokensFile: cannot read/,
    );
    expect(() => AgentTokens.load(tokensFile('clusters:\n  a: short\n'), log)).toThrow(
      /clusters.a: a token of at least 16 characters/,
    );
    expect(() =>
      AgentTokens.load(tokensFile('clusters:\n  a: same-token-123456\n  b: same-token-123456\n'), log),
    ).toThrow(/two clusters share a token/);
    expect(() => AgentTokens.load(tokensFile('prod: aaaaaaaaaaaaaaaa1\n'), log)).toThrow(ConfigError);
  });

  it('picks up a rotated token when the file changes, and keeps the old ones when the edit is bad', () => {
    const file = tokensFile('clusters:\n  prod: old-token-0123456789\n');
    const t = AgentTokens.load(file, log);
    vi.useFakeTimers({ now: Date.now() + 10_000, toFake: ['Date'] });
    writeFileSync(file, 'clusters:\n  prod: new-token-0123456789\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect(t.authenticate('Bearer new-token-0123456789')).toBe('prod');
    expect(() => t.authenticate('Bearer old-token-0123456789')).toThrow(UnauthorizedError);
    vi.setSystemTime(Date.now() + 10_000);
    writeFileSync(file, 'clusters: [not, a, map]\n');
    utimesSync(file, new Date(), new Date(Date.now() + 10_000));
    expect(t.authenticate('Bearer new-token-0123456789')).toBe('prod');
  });
});

describe('ReplayGuard and batch ids', () => {
  it('recognises a sequence number at or below the last committed one of that agent and cluster', () => {
    const g = new ReplayGuard();
    expect(g.isReplay('east', 'a1', 1)).toBe(false);
    g.committed('east', 'a1', 5);
    expect(g.isReplay('east', 'a1', 5)).toBe(true);
    expect(g.isReplay('east', 'a1', 4)).toBe(true);
    expect(g.isReplay('east', 'a1', 6)).toBe(false);
    expect(g.isReplay('east', 'a2', 5)).toBe(false);
    expect(g.isReplay('west', 'a1', 5)).toBe(false);
  });

  it('parses <agent>:<seq> and nothing else', () => {
    expect(parseBatchId('9b1c-4d:42')).toEqual({ agent: '9b1c-4d', seq: 42 });
    for (const bad of ['', '42', 'a:', ':1', 'a:b', 'a b:1', `a:${'9'.repeat(16)}`])
      expect(parseBatchId(bad)).toBeUndefined();
  });
});

describe('restrictToCluster', () => {
  it("keeps the token's cluster's records and names the others", () => {
    const b = emptyBatch();
    b.logs.push({ source: { cluster: 'east' } } as never, { source: { cluster: 'west' } } as never);
    b.objects.push({ ref: { cluster: 'east' } } as never);
    b.events.push({ cluster: 'north' } as never);
    expect(restrictToCluster(b, 'east')).toEqual({
      rejected: 2,
      reason: "records of cluster north, west rejected: this agent's token is for cluster east",
    });
    expect(b.logs).toHaveLength(1);
    expect(b.objects).toHaveLength(1);
    expect(b.events).toHaveLength(0);
  });
});
