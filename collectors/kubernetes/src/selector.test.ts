import { describe, expect, it } from 'vitest';
import { parseLabelSelector } from './selector';

describe('parseLabelSelector', () => {
  const labels = { app: 'checkout', tier: 'web', 'app.kubernetes.io/part-of': 'shop' };

  it.each([
    ['', true],
    ['app=checkout', true],
    ['app==checkout', true],
    ['app=cart', false],
    ['app!=cart', true],
    ['app!=checkout', false],
    ['missing!=x', true],
    ['tier in (web, api)', true],
    ['tier in (api)', false],
    ['tier notin (api)', true],
    ['missing notin (api)', true],
    ['tier notin (web)', false],
    ['app.kubernetes.io/part-of', true],
    ['missing', false],
    ['!missing', true],
    ['!tier', false],
    ['app=checkout, tier in (web,api), !canary', true],
    ['app=checkout,tier=api', false],
    ['app=', false],
  ])('%j matches: %s', (text, expected) => {
    expect(parseLabelSelector(text).matches(labels)).toBe(expected);
  });

  it('treats a pod without labels as having none', () => {
    expect(parseLabelSelector('!canary').matches(undefined)).toBe(true);
    expect(parseLabelSelector('app=x').matches(undefined)).toBe(false);
  });

  it.each([
    ['tier in ()', 'lists no values'],
    ['bad key!=x', 'cannot parse'],
    ['app=not valid', 'cannot parse'],
    ['-app=x', 'not a valid label key'],
    ['app=-x', 'not a valid label value'],
  ])('rejects %j, naming the problem', (text, message) => {
    expect(() => parseLabelSelector(text)).toThrow(message);
  });
});
