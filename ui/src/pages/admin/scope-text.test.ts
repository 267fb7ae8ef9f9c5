import { describe, expect, it } from 'vitest';
import { describeScope, parseScope, scopeInput } from './scope-text';

describe('scopes as an admin types them', () => {
  it('reads clusters and namespaces a line each, skipping blanks and repeats', () => {
    expect(parseScope({ all: false, lines: 'prod-eu\n\n prod-us / shop \nprod-eu\n' })).toEqual({
      ok: true,
      scope: [{ cluster: 'prod-eu' }, { cluster: 'prod-us', namespace: 'shop' }],
    });
    expect(parseScope({ all: true, lines: 'ignored' })).toEqual({ ok: true, scope: 'all' });
  });

  it('names the line that is not a cluster or cluster/namespace', () => {
    const r = parseScope({ all: false, lines: 'prod-eu\na/b/c' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain('line 2 ("a/b/c")');
    expect(parseScope({ all: false, lines: 'prod-eu/' }).ok).toBe(false);
    expect(!parseScope({ all: false, lines: ' \n' }).ok && 'refused').toBe('refused');
  });

  it('shows a scope in a table and back in the form', () => {
    const scope = [{ cluster: 'prod-eu' }, { cluster: 'prod-us', namespace: 'shop' }];
    expect(describeScope(scope)).toBe('prod-eu, prod-us/shop');
    expect(describeScope('all')).toBe('all clusters');
    expect(describeScope([])).toBe('nothing');
    expect(scopeInput(scope)).toEqual({ all: false, lines: 'prod-eu\nprod-us/shop' });
    expect(parseScope(scopeInput(scope))).toEqual({ ok: true, scope });
  });
});
