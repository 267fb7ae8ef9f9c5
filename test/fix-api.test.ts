import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FixAction, Incident, ManifestPatch, RootCause } from '@sleuth/core';
import type { IncidentFix, OpenResult } from '@sleuth/server';
import { startGitHubServer, type GitHubServer } from './support/github-server';
import { makeGitopsRepo, rootCauseWith, type GitopsRepo } from './support/gitops';
import { eventually, getJson, startTestServer, type TestServer } from './support/server';

const TOKEN = 'ghp_fixapi0000secret1111token';
const T0 = Date.UTC(2026, 10, 24, 3, 0, 0);

const MEMORY: ManifestPatch = {
  kind: 'Deployment',
  name: 'cart',
  namespace: 'shop',
  field: 'spec.template.spec.containers[name=api].resources.limits.memory',
  from: '512Mi',
  to: '768Mi',
  rationale: '1.5× the current limit or 1.25× the observed peak, whichever is higher.',
};
const TARGET_PORT: ManifestPatch = {
  kind: 'Service',
  name: 'cart',
  namespace: 'shop',
  field: 'spec.ports[name=http].targetPort',
  from: '8081',
  to: '8080',
  rationale: 'The container listens on 8080.',
};
const MAX_REPLICAS: ManifestPatch = {
  kind: 'HorizontalPodAutoscaler',
  name: 'cart',
  namespace: 'shop',
  field: 'spec.maxReplicas',
  from: '4',
  to: '6',
  rationale: 'At its maximum for 30 minutes under load: +50%.',
};

function cause(failureMode: string, patch: ManifestPatch, rank: number): RootCause {
  return { ...rootCauseWith(failureMode, patch), rank, confidence: 1 - rank / 10 };
}

function incident(id: string, rootCauses: RootCause[]): Incident {
  return {
    id,
    title: 'cart pods restarting in shop',
    status: 'open',
    severity: 'high',
    startMs: T0,
    updatedMs: T0,
    resources: [{ cluster: 'prod', namespace: 'shop', kind: 'Deployment', name: 'cart' }],
    anomalyIds: [],
    rootCauses,
  };
}

async function post(url: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/**
 * The fix API against a GitOps repository in a real git repository with a local bare remote and
 * a GitHub-API-compatible test server: propose, open, update the same pull request, the policy's
 * allowlists and auto-open, and the audit log of every request.
 */
describe('fixes through the API, with GitHub pull requests and a policy', () => {
  let repo: GitopsRepo;
  let github: GitHubServer;
  let server: TestServer;
  let mainBefore: string | undefined;
  let githubClosed = false;
  const api = (path: string): string => `${server.url}/api/v1${path}`;

  beforeAll(async () => {
    repo = await makeGitopsRepo('plain');
    mainBefore = await repo.head('main');
    github = await startGitHubServer(TOKEN);
    server = await startTestServer({
      'remediation.repo.url': repo.remote,
      'remediation.repo.paths': ['apps'],
      'remediation.provider': 'github',
      'remediation.github.owner': 'acme',
      'remediation.github.repo': 'gitops',
      'remediation.github.token': TOKEN,
      'remediation.github.baseUrl': github.url,
      'remediation.policy.kinds': ['Deployment', 'HorizontalPodAutoscaler'],
      'remediation.policy.autoOpen': ['hpa-max-replicas'],
      'remediation.policy.autoOpenAfterSeconds': 0,
    });
  });
  afterAll(async () => {
    await server?.dispose();
    if (!githubClosed) await github?.close();
    expect(await repo.head('main')).toBe(mainBefore);
    await repo.cleanup();
  });

  it('proposes the best-ranked fix the policy allows and says why the others are not', async () => {
    await server.store.putIncident(
      incident('inc_api1', [cause('target-port-mismatch', TARGET_PORT, 1), cause('oom-killed', MEMORY, 2)]),
    );
    const proposed = await getJson<IncidentFix>(server.url, '/api/v1/incidents/inc_api1/fix');
    expect(proposed).toMatchObject({ incidentId: 'inc_api1', provider: 'github', repo: repo.remote });
    expect(proposed.candidates.map((c) => [c.rootCauseId, c.declined?.code ?? c.policy])).toEqual([
      ['rc_target-port-mismatch', 'policy'],
      ['rc_oom-killed', 'propose'],
    ]);
    expect(proposed.candidates[0]?.declined?.reason).toBe(
      'fixes to Service objects are not in remediation.policy.kinds (Deployment, HorizontalPodAutoscaler)',
    );
    expect(proposed.fix).toMatchObject({
      rootCauseId: 'rc_oom-killed',
      fixer: 'memory-limit',
      path: 'apps/shop/cart.yaml',
      from: '512Mi',
      to: '768Mi',
    });
    expect(proposed.fix?.patch).toContain('-            memory: 512Mi   # raised in March after the sale');
    expect(proposed.fix?.patch).toContain('+            memory: 768Mi   # raised in March after the sale');
    // Proposing is read-only: no branch, no pull request, nothing in the audit log.
    expect(github.calls).toEqual([]);
    expect(await repo.head('sleuth/inc_api1-memory-limit-cart-api')).toBeUndefined();
    expect(proposed.actions).toEqual([]);
  });

  it('opens the pull request, then updates the same one when the diagnosis changes', async () => {
    const first = await post(api('/incidents/inc_api1/fix/pull-request'), { note: 'looked at the diff' });
    expect(first.status, JSON.stringify(first.json)).toBe(201);
    const opened = first.json as unknown as OpenResult;
    expect(opened.branch).toBe('sleuth/inc_api1-memory-limit-cart-api');
    expect(opened.pullRequest).toMatchObject({ provider: 'github', number: 1, status: 'open' });
    const creates = github.callsTo('POST', /^\/repos\/acme\/gitops\/pulls$/);
    expect(creates).toHaveLength(1);
    expect(creates[0]?.body).toMatchObject({ base: 'main', head: opened.branch });
    expect(String((creates[0]?.body as { body: string }).body)).toContain(
      `${server.url}/api/v1/incidents/inc_api1`,
    );

    // A new diagnosis asks for more memory: the same branch gets a commit, the same PR a new body.
    await server.store.putIncident(
      incident('inc_api1', [
        cause('target-port-mismatch', TARGET_PORT, 1),
        cause('oom-killed', { ...MEMORY, to: '1Gi' }, 2),
      ]),
    );
    const second = await post(api('/incidents/inc_api1/fix/pull-request'));
    expect(second.status, JSON.stringify(second.json)).toBe(200);
    const updated = second.json as unknown as OpenResult;
    expect(updated.action.outcome).toBe('updated');
    expect(updated.pullRequest?.number).toBe(1);
    expect(github.callsTo('POST', /^\/repos\/acme\/gitops\/pulls$/)).toHaveLength(1);
    expect(github.callsTo('PATCH', /^\/repos\/acme\/gitops\/pulls\/1$/)).toHaveLength(1);
    expect(await repo.show(opened.branch, 'apps/shop/cart.yaml')).toContain(
      'memory: 1Gi   # raised in March',
    );

    const fix = await getJson<IncidentFix>(server.url, '/api/v1/incidents/inc_api1/fix');
    expect(fix.pullRequest?.number).toBe(1);
    expect(fix.branch).toBe(opened.branch);
    // The incident's recommendation for that cause carries the pull request.
    const detail = await getJson<{
      recommendations: { rootCauseId: string; pullRequest?: { number: number } }[];
    }>(server.url, '/api/v1/incidents/inc_api1');
    expect(detail.recommendations.map((r) => [r.rootCauseId, r.pullRequest?.number])).toEqual([
      ['rc_target-port-mismatch', undefined],
      ['rc_oom-killed', 1],
    ]);
  });

  it('refuses what the policy does not allow, with the rule, and records the refusal', async () => {
    const refused = await post(api('/incidents/inc_api1/fix/pull-request'), {
      rootCauseId: 'rc_target-port-mismatch',
    });
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({ error: { code: 'fix_refused' } });
    expect(JSON.stringify(refused.json)).toContain('not in remediation.policy.kinds');
    expect(github.callsTo('POST', /pulls$/)).toHaveLength(1);

    const { actions } = await getJson<{ actions: FixAction[] }>(
      server.url,
      '/api/v1/fix-actions?incident=inc_api1',
    );
    expect(actions.map((a) => [a.outcome, a.trigger, a.rootCauseId, a.to])).toEqual([
      ['refused', 'api', 'rc_target-port-mismatch', '8080'],
      ['updated', 'api', 'rc_oom-killed', '1Gi'],
      ['opened', 'api', 'rc_oom-killed', '768Mi'],
    ]);
    expect(actions[2]?.note).toBe('looked at the diff');
    expect(actions[2]?.pullRequest?.url).toMatch(/\/acme\/gitops\/pull\/1$/);
    // The token is in no answer.
    expect(JSON.stringify(actions)).not.toContain(TOKEN);
  });

  it('opens an auto-open fix by itself once the incident is diagnosed, once per diagnosis', async () => {
    const hpa = incident('inc_api2', [cause('hpa-at-max', MAX_REPLICAS, 1)]);
    await server.store.putIncident(hpa);
    server.incidentFeed.publish(hpa, undefined);
    const auto = await eventually(async () => {
      const { actions } = await getJson<{ actions: FixAction[] }>(
        server.url,
        '/api/v1/fix-actions?incident=inc_api2',
      );
      return actions[0];
    }, 20_000);
    expect(auto).toMatchObject({
      trigger: 'auto-open',
      actor: 'sleuth (remediation.policy.autoOpen)',
      outcome: 'opened',
      fixer: 'hpa-max-replicas',
      from: '4',
      to: '6',
    });
    expect(auto.pullRequest?.number).toBe(2);
    // The same diagnosis heard again opens nothing more.
    server.incidentFeed.publish({ ...hpa, updatedMs: T0 + 60_000, severity: 'critical' }, hpa);
    await new Promise((r) => setTimeout(r, 500));
    const { actions } = await getJson<{ actions: FixAction[] }>(
      server.url,
      '/api/v1/fix-actions?incident=inc_api2',
    );
    expect(actions).toHaveLength(1);
    expect(github.callsTo('POST', /pulls$/)).toHaveLength(2);
  });

  it('answers bad requests with what is wrong, and records a forge failure', async () => {
    expect((await fetch(api('/incidents/inc_nope/fix'))).status).toBe(404);
    const unknownCause = await post(api('/incidents/inc_api1/fix/pull-request'), { rootCauseId: 'rc_nope' });
    expect(unknownCause.status).toBe(404);
    expect(JSON.stringify(unknownCause.json)).toContain('rc_target-port-mismatch, rc_oom-killed');
    const bad = await post(api('/incidents/inc_api1/fix/pull-request'), { rootCause: 'rc_oom-killed' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toMatch(/rootCause/);

    await server.store.putIncident(incident('inc_api3', [cause('oom-killed', MEMORY, 1)]));
    await github.close();
    githubClosed = true;
    const failed = await post(api('/incidents/inc_api3/fix/pull-request'));
    expect(failed.status, JSON.stringify(failed.json)).toBe(502);
    expect(JSON.stringify(failed.json)).not.toContain(TOKEN);
    const { actions } = await getJson<{ actions: FixAction[] }>(
      server.url,
      '/api/v1/fix-actions?incident=inc_api3',
    );
    expect(actions.map((a) => [a.outcome, a.code])).toEqual([['failed', 'forge_failed']]);
    expect(actions[0]?.reason).toMatch(/^GitHub did not answer GET \/repos\/acme\/gitops\/pulls/);
    expect(failed.json).toMatchObject({ error: { code: 'forge_failed' } });
  });
});
