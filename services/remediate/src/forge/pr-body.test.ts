import { describe, expect, it } from 'vitest';
import type { RemediationProposal } from '../fixers/fixer';
import { plainText, pullRequestTitle } from './pr-body';

const proposal = (namespace: string | undefined): RemediationProposal => ({
  repo: 'gitops',
  path: 'apps/cart.yaml',
  patch: '',
  rationale: '',
  risk: '',
  rollback: '',
  verification: '',
  fixer: 'memory-limit',
  failureMode: 'oom-killed',
  target: { kind: 'Deployment', name: 'cart', ...(namespace ? { namespace } : {}) },
  field: 'f',
  editedField: 'f',
  from: '512Mi',
  to: '768Mi',
  title: 'Raise the memory limit of api in Deployment cart from 512Mi to 768Mi',
  slug: 'memory-limit-cart-api',
  commands: [],
  definedIn: 'apps/cart.yaml',
  content: '',
});

describe('pull request text', () => {
  it('titles the change by namespace/name, in conventional-commit form', () => {
    expect(pullRequestTitle(proposal('shop'))).toBe(
      'fix(shop/cart): raise the memory limit of api in Deployment cart from 512Mi to 768Mi',
    );
    expect(pullRequestTitle(proposal(undefined))).toMatch(/^fix\(cart\): raise/);
  });

  it('renders log text as plain text: no HTML, links, images or mentions', () => {
    expect(plainText('<img src=x onerror=alert(1)>\n[click](https://evil.example) @team ![i](x)')).toBe(
      '&lt;img src=x onerror=alert\\(1\\)&gt; \\[click\\]\\(https://evil.example\\) \\@team \\!\\[i\\]\\(x\\)',
    );
    expect(plainText('a & b')).toBe('a &amp; b');
  });
});
