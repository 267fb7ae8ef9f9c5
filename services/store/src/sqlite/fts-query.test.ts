import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '@sleuth/core';
import { parseSearchTerms, toFtsMatch } from './fts-query';

/** A tiny FTS5 table shaped like the log index, to check expressions do what users expect. */
function search(rows: string[], q: string): string[] {
  const db = new Database(':memory:');
  db.exec("CREATE VIRTUAL TABLE t USING fts5(body, facets, content='', contentless_delete=1, detail=full)");
  const ins = db.prepare('INSERT INTO t (rowid, body, facets) VALUES (?, ?, ?)');
  rows.forEach((body, i) => ins.run(i + 1, body, 'c1'));
  const m = toFtsMatch(q, 'body');
  const expr = m.include === undefined ? 'facets : "c1"' : m.include;
  const match = m.exclude === undefined ? expr : `(${expr}) NOT (${m.exclude})`;
  const ids = db
    .prepare<[string], number>('SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid')
    .pluck()
    .all(match);
  db.close();
  return ids.map((id) => rows[id - 1] ?? '');
}

const LINES = [
  'connection refused to postgres-0.postgres:5432',
  'refused connection from 10.0.0.7',
  'GET /api/cart 200 in 12ms',
  'user_id=42 logged in',
  'timeout waiting for upstream payments',
  'NOT a problem OR is it',
];

describe('toFtsMatch', () => {
  it('ANDs words, in any order', () => {
    expect(search(LINES, 'connection refused')).toEqual([LINES[0], LINES[1]]);
    expect(toFtsMatch('disk full', 'body').include).toBe('body : "disk" AND body : "full"');
  });

  it('matches a quoted phrase only as adjacent words', () => {
    expect(search(LINES, '"connection refused"')).toEqual([LINES[0]]);
  });

  it('matches a prefix with a trailing *', () => {
    expect(search(LINES, 'postgr*')).toEqual([LINES[0]]);
    expect(search(LINES, 'time* upstr*')).toEqual([LINES[4]]);
    expect(toFtsMatch('time*', 'body').include).toBe('body : "time" *');
  });

  it('excludes words and phrases with a leading -', () => {
    expect(search(LINES, 'connection -postgres')).toEqual([LINES[1]]);
    expect(search(LINES, 'refused -"connection refused"')).toEqual([LINES[1]]);
    expect(search(LINES, '-connection -refused -cart -user -timeout')).toEqual([LINES[5]]);
  });

  it('matches punctuated words as the token sequence they are', () => {
    expect(search(LINES, 'user_id=42')).toEqual([LINES[3]]);
    expect(search(LINES, '10.0.0.7')).toEqual([LINES[1]]);
    expect(search(LINES, '/api/cart')).toEqual([LINES[2]]);
  });

  it('is case-insensitive', () => {
    expect(search(LINES, 'get')).toEqual([LINES[2]]);
  });

  it('treats FTS5 operators and syntax typed by the user as plain words', () => {
    expect(search(LINES, 'NOT OR')).toEqual([LINES[5]]);
    for (const q of [
      'NEAR(a b)',
      'body:foo',
      'a AND',
      '(x',
      '^start',
      '{body}: x',
      'x OR',
      'a + b',
      "it's",
      'naïve café',
    ]) {
      expect(() => search(LINES, q), q).not.toThrow();
    }
  });

  it('rejects text with nothing to search for, naming the problem', () => {
    expect(() => toFtsMatch('   ', 'body')).toThrow(ValidationError);
    expect(() => toFtsMatch('!!! --- ***', 'body')).toThrow(/no words to search for/);
    expect(() => toFtsMatch('""', 'body')).toThrow(/no words/);
  });

  it('rejects an unclosed quote and a too-short prefix', () => {
    expect(() => toFtsMatch('"connection refused', 'body')).toThrow(/quote at character 1 is never closed/);
    expect(() => toFtsMatch('a*', 'body')).toThrow(/prefix search needs at least 2/);
  });

  it('limits the number of terms', () => {
    const many = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    expect(() => toFtsMatch(many, 'body')).toThrow(/at most 32/);
  });
});

describe('parseSearchTerms', () => {
  it('splits words, phrases, prefixes and exclusions', () => {
    expect(parseSearchTerms('a "b c"* -d -"e f" g*')).toEqual([
      { text: 'a', phrase: false, prefix: false, exclude: false },
      { text: 'b c', phrase: true, prefix: true, exclude: false },
      { text: 'd', phrase: false, prefix: false, exclude: true },
      { text: 'e f', phrase: true, prefix: false, exclude: true },
      { text: 'g', phrase: false, prefix: true, exclude: false },
    ]);
  });

  it('keeps a lone dash as a word (it has nothing to search for)', () => {
    expect(parseSearchTerms('a - b').map((t) => t.text)).toEqual(['a', '-', 'b']);
  });
});
