import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './unified-diff';

const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`);

describe('unifiedDiff', () => {
  it('shows one changed line with three lines of context', () => {
    const a = lines(10);
    const b = [...a];
    b[4] = 'line five';
    expect(unifiedDiff('x.yaml', `${a.join('\n')}\n`, `${b.join('\n')}\n`)).toBe(
      [
        '--- a/x.yaml',
        '+++ b/x.yaml',
        '@@ -2,7 +2,7 @@',
        ' line 2',
        ' line 3',
        ' line 4',
        '-line 5',
        '+line five',
        ' line 6',
        ' line 7',
        ' line 8',
        '',
      ].join('\n'),
    );
  });

  it('keeps far-apart changes in separate hunks and an insertion as additions only', () => {
    const a = lines(20);
    const b = [...a.slice(0, 2), 'new', ...a.slice(2, 17), 'line 18!', ...a.slice(18)];
    const d = unifiedDiff('x.yaml', `${a.join('\n')}\n`, `${b.join('\n')}\n`);
    expect(d.split('\n').filter((l) => l.startsWith('@@'))).toEqual(['@@ -1,5 +1,6 @@', '@@ -15,6 +16,6 @@']);
    expect(d.split('\n').filter((l) => /^[-+](?![-+])/.test(l))).toEqual(['+new', '-line 18', '+line 18!']);
  });

  it('marks a missing final newline and is empty for equal texts', () => {
    expect(unifiedDiff('x', 'a\nb', 'a\nc')).toBe(
      '--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n',
    );
    expect(unifiedDiff('x', 'same\n', 'same\n')).toBe('');
  });
});
