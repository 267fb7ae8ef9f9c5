import type { RootCause } from '@sleuth/core';
import { describe, expect, it } from 'vitest';
import type { RemediationProposal } from '../fixers/fixer';
import { plainText, pullRequestBody, pullRequestTitle } from './pr-body';

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
    // `\&` renders as `&` on GitHub and GitLab, and keeps an entity in the text as written.
    expect(plainText('a & b')).toBe('a \\& b');
    expect(plainText('&lt;b&gt;')).toBe('\\&lt;b\\&gt;');
  });

  it('escapes every GitLab reference, so the text mentions nobody and links no issue, MR or label', () => {
    expect(plainText('ping @oncall: #123 !45 ~backend ~"p 1" %v1.2 $7 &8 ^alert#9 group/app#3')).toBe(
      'ping \\@oncall: \\#123 \\!45 \\~backend \\~"p 1" \\%v1.2 \\$7 \\&8 \\^alert\\#9 group/app\\#3',
    );
  });

  it('keeps GitLab quick actions out of the body: no line starts with a slash command', () => {
    const rootCause: RootCause = {
      id: 'rc_1',
      failureMode: 'oom-killed',
      resource: { cluster: 'prod', namespace: 'shop', kind: 'Pod', name: 'cart-1' },
      hypothesis: 'OOMKilled\n/merge\n/assign @me',
      confidence: 0.9,
      rank: 1,
      evidence: [{ signal: { kind: 'event', ids: ['ev-1'] }, summary: '/close' }],
      origin: 'llm',
    };
    const body = pullRequestBody({
      incidentId: 'inc_1',
      incidentTitle: '/approve',
      rootCause,
      proposal: {
        ...proposal('shop'),
        rationale: 'Raise the limit.\n/merge',
        risk: '  /close',
        rollback: '/revert',
        commands: ['kubectl -n shop rollout status deployment/cart'],
      },
    });
    expect(body.split('\n').filter((l) => /^\s*\//.test(l))).toEqual([]);
    expect(body).toContain('Raise the limit.\n\\/merge');
    expect(body).toContain('  \\/close');
    expect(body).toContain('**Root cause (oom-killed):** OOMKilled /merge /assign \\@me');
    expect(body).toContain('- `/close`');
  });
});
