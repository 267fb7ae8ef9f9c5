import { describe, expect, it } from 'vitest';
import { inScope, roleAllows, scopeWithin, unionScope, type Scope } from './principal';

const shop: Scope = [{ cluster: 'prod-eu', namespace: 'shop' }];

describe('scopes', () => {
  it('lets a namespace grant see only its namespace, and nothing cluster-wide', () => {
    expect(inScope(shop, 'prod-eu', 'shop')).toBe(true);
    expect(inScope(shop, 'prod-eu', 'payments')).toBe(false);
    expect(inScope(shop, 'prod-us', 'shop')).toBe(false);
    expect(inScope(shop, 'prod-eu', undefined)).toBe(false);
    expect(inScope([{ cluster: 'prod-eu' }], 'prod-eu', undefined)).toBe(true);
    expect(inScope([], 'prod-eu', 'shop')).toBe(false);
    expect(inScope('all', undefined)).toBe(true);
  });

  it('grants no more than the granter has', () => {
    expect(scopeWithin(shop, [{ cluster: 'prod-eu' }])).toBe(true);
    expect(scopeWithin([{ cluster: 'prod-eu' }], shop)).toBe(false);
    expect(scopeWithin('all', shop)).toBe(false);
    expect(scopeWithin(shop, 'all')).toBe(true);
  });

  it('unions group scopes without duplicates', () => {
    expect(unionScope([shop, shop, [{ cluster: 'dev' }]])).toEqual([...shop, { cluster: 'dev' }]);
    expect(unionScope([shop, 'all'])).toBe('all');
  });

  it('orders roles viewer < operator < admin', () => {
    expect(roleAllows('viewer', 'read')).toBe(true);
    expect(roleAllows('viewer', 'operate')).toBe(false);
    expect(roleAllows('operator', 'operate')).toBe(true);
    expect(roleAllows('operator', 'admin')).toBe(false);
    expect(roleAllows('admin', 'admin')).toBe(true);
  });
});
