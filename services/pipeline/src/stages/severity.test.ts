import { describe, expect, it } from 'vitest';
import { logSeverity, severityFromText } from './severity';

describe('log severity', () => {
  it.each([
    ['INFO', 'info'],
    ['Warning', 'warn'],
    ['WARN', 'warn'],
    ['ERR', 'error'],
    ['error3', 'error'],
    ['CRITICAL', 'fatal'],
    ['dbg', 'debug'],
    [' trace ', 'trace'],
    ['E', 'error'],
  ] as const)('reads the text %s as %s', (text, severity) => {
    expect(severityFromText(text)).toBe(severity);
  });

  it('does not guess at unknown text', () => {
    expect(severityFromText('loud')).toBeUndefined();
    expect(severityFromText('')).toBeUndefined();
  });

  it('prefers the SeverityNumber, then the text, then info', () => {
    expect(logSeverity(17, 'INFO')).toBe('error');
    expect(logSeverity(0, 'Warning')).toBe('warn');
    expect(logSeverity(99, 'fatal')).toBe('fatal');
    expect(logSeverity(0, '')).toBe('info');
  });
});
