import { describe, expect, it } from 'vitest';
import { canonicalKind, formatResourceArg, parseResourceArg } from './resource-arg';

describe('parseResourceArg', () => {
  it("reads NAMESPACE/KIND/NAME and KIND/NAME with kubectl's kind names", () => {
    expect(parseResourceArg('shop/deploy/cart')).toEqual({
      namespace: 'shop',
      kind: 'Deployment',
      name: 'cart',
    });
    expect(parseResourceArg('shop/Pod/cart-1')).toEqual({ namespace: 'shop', kind: 'Pod', name: 'cart-1' });
    expect(parseResourceArg('node/ip-10-0-1-17')).toEqual({ kind: 'Node', name: 'ip-10-0-1-17' });
    expect(canonicalKind('sts')).toBe('StatefulSet');
    expect(canonicalKind('Rollout')).toBe('Rollout');
    expect(formatResourceArg({ namespace: 'shop', kind: 'Pod', name: 'a' })).toBe('shop/Pod/a');
  });

  it('says what is wrong with anything else', () => {
    for (const bad of ['cart', 'a/b/c/d', 'shop//cart', '/Pod/x']) {
      const r = parseResourceArg(bad);
      expect('error' in r && r.error).toContain(`"${bad}" is not NAMESPACE/KIND/NAME`);
    }
  });
});
