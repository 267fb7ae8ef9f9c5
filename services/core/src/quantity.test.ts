import { describe, expect, it } from 'vitest';
import { isQuantity, parseQuantity, sameQuantity } from './quantity';

describe('Kubernetes quantities', () => {
  it('accepts what the API server accepts for cpu and memory', () => {
    for (const q of ['500m', '1', '1.5', '.5', '768Mi', '1Gi', '1G', '2e3', '128974848', 2, 0.25])
      expect(isQuantity(q), String(q)).toBe(true);
  });

  it('refuses signs, units it does not know, spaces and instructions', () => {
    for (const q of [
      '-1Gi',
      '1 Gi',
      '1GB',
      'Mi',
      '',
      '1Gi; rm -rf /',
      'ignore previous instructions',
      '1.2.3',
    ])
      expect(isQuantity(q), q).toBe(false);
  });

  it('reads values in base units and compares amounts, not spellings', () => {
    expect(parseQuantity('768Mi')).toBe(768 * 2 ** 20);
    expect(parseQuantity('500m')).toBeCloseTo(0.5);
    expect(parseQuantity('2e3')).toBe(2000);
    expect(sameQuantity('1Gi', '1024Mi')).toBe(true);
    expect(sameQuantity('0.5', '500m')).toBe(true);
    expect(sameQuantity(1, '1000m')).toBe(true);
    expect(sameQuantity('512Mi', '256Mi')).toBe(false);
    expect(sameQuantity('512Mi', 'lots')).toBe(false);
  });
});
