import { describe, expect, it } from 'vitest';
import { bodyText, MAX_BODY_BYTES } from './body-text';
import { hexId, timeProblem } from './record-checks';

describe('hexId', () => {
  it('accepts hex of the right length, lower-casing it', () => {
    expect(hexId('5B8EFFF798038103D269B633813FC60C', 32)).toBe('5b8efff798038103d269b633813fc60c');
    expect(hexId('eee19b7ec3c1b174', 16)).toBe('eee19b7ec3c1b174');
  });

  it('treats an all-zero id as absent and rejects anything else', () => {
    expect(hexId('0000000000000000', 16)).toBe('');
    expect(hexId('eee19b7ec3c1b17', 16)).toBeUndefined();
    expect(hexId('eee19b7ec3c1b17g', 16)).toBeUndefined();
  });
});

describe('timeProblem', () => {
  const now = 1_750_000_000_000;
  it('accepts the past and the near future only', () => {
    expect(timeProblem(now - 1e9, 'timeUnixNano', now)).toBeUndefined();
    expect(timeProblem(now + 3_600_000, 'timeUnixNano', now)).toBeUndefined();
    expect(timeProblem(now + 90_000_000, 'timeUnixNano', now)).toMatch(/more than 1 day ahead/);
    expect(timeProblem(NaN, 'startTimeUnixNano', now)).toBe(
      'startTimeUnixNano is not a valid unsigned nanosecond timestamp',
    );
  });
});

describe('bodyText', () => {
  it('renders maps and arrays as compact JSON and scalars as text', () => {
    expect(bodyText({ a: [1, { b: null }] })).toBe('{"a":[1,{"b":null}]}');
    expect(bodyText(12.5)).toBe('12.5');
    expect(bodyText(undefined)).toBe('');
  });

  it('truncates over 64 KiB of UTF-8 on a character boundary, with a marker', () => {
    const body = bodyText('é'.repeat(40_000));
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(body).toMatch(/^(é)+…\[truncated \d+ bytes\]$/);
    expect(bodyText('é'.repeat(30_000))).toHaveLength(30_000);
  });
});
