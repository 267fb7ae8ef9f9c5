import type { ManifestPatch } from '@sleuth/core';
import { isDecline, openFixBranch, proposeFix } from '@sleuth/remediate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { changedLines, makeGitopsRepo, rootCauseWith, type GitopsRepo } from './support/gitops';

const API = 'spec.template.spec.containers[name=api]';
const patch = (
  ns: string,
  kind: string,
  name: string,
  field: string,
  from: string,
  to: string,
): ManifestPatch => ({ kind, name, namespace: ns, field, from, to, rationale: 'From the analyzer.' });

/**
 * The fixture: chart charts/cart, installed in prod by a Flux HelmRelease (chart values.yaml, then
 * clusters/prod/cart-values.yaml, then inline spec.values) and in staging by an Argo CD
 * Application (chart values.yaml, then charts/cart/values-staging.yaml, release name `staging`).
 */
const CASES: {
  name: string;
  mode: string;
  patch: ManifestPatch;
  file: string;
  editedField: string;
  line: [string, string];
}[] = [
  {
    name: 'prod memory limit: the prod values file that overrides it',
    mode: 'oom-killed',
    patch: patch('shop', 'Deployment', 'cart', `${API}.resources.limits.memory`, '1Gi', '1536Mi'),
    file: 'clusters/prod/cart-values.yaml',
    editedField: 'resources.limits.memory',
    line: ['    memory: 1Gi # raised after INC-2291', '    memory: 1536Mi # raised after INC-2291'],
  },
  {
    name: "prod CPU limit: the chart's values.yaml, since no override sets it",
    mode: 'cpu-throttling',
    patch: patch('shop', 'Deployment', 'cart', `${API}.resources.limits.cpu`, '500m', '1'),
    file: 'charts/cart/values.yaml',
    editedField: 'resources.limits.cpu',
    line: ['    cpu: 500m # per replica', '    cpu: 1 # per replica'],
  },
  {
    name: "prod HPA maxReplicas: the HelmRelease's inline values",
    mode: 'hpa-at-max',
    patch: patch('shop', 'HorizontalPodAutoscaler', 'cart', 'spec.maxReplicas', '6', '9'),
    file: 'clusters/prod/cart-release.yaml',
    editedField: 'spec.values.autoscaling.maxReplicas',
    line: ['      maxReplicas: 6 # capacity plan Q3', '      maxReplicas: 9 # capacity plan Q3'],
  },
  {
    name: 'prod liveness probe port: the setting the template reads',
    mode: 'liveness-probe-failing',
    patch: patch('shop', 'Deployment', 'cart', `${API}.livenessProbe.httpGet.port`, '8081', '8080'),
    file: 'clusters/prod/cart-values.yaml',
    editedField: 'probes.liveness.port',
    line: ['    port: 8081', '    port: 8080'],
  },
  {
    name: 'prod image rollback: only image.tag, the repository stays',
    mode: 'bad-rollout',
    patch: patch(
      'shop',
      'Deployment',
      'cart',
      `${API}.image`,
      'ghcr.io/acme/cart:1.4.2',
      'ghcr.io/acme/cart:1.4.0',
    ),
    file: 'clusters/prod/cart-values.yaml',
    editedField: 'image.tag',
    line: ['  tag: "1.4.2"', '  tag: "1.4.0"'],
  },
  {
    name: "staging Service targetPort: the Argo CD Application's values file",
    mode: 'target-port-mismatch',
    patch: patch('shop-staging', 'Service', 'staging-cart', 'spec.ports[0].targetPort', '8081', '8080'),
    file: 'charts/cart/values-staging.yaml',
    editedField: 'service.targetPort',
    line: ['  targetPort: 8081 # changed during INC-2310', '  targetPort: 8080 # changed during INC-2310'],
  },
  {
    name: "staging memory limit: the chart's values.yaml",
    mode: 'memory-near-limit',
    patch: patch(
      'shop-staging',
      'Deployment',
      'staging-cart',
      `${API}.resources.limits.memory`,
      '512Mi',
      '768Mi',
    ),
    file: 'charts/cart/values.yaml',
    editedField: 'resources.limits.memory',
    line: ['    memory: 512Mi', '    memory: 768Mi'],
  },
];

describe('fix branches against a Helm GitOps repository (values files, HelmRelease, Application)', () => {
  let repo: GitopsRepo;
  beforeAll(async () => {
    repo = await makeGitopsRepo('helm');
  });
  afterAll(async () => {
    await repo.cleanup();
  });

  CASES.forEach((c, i) => {
    it(c.name, async () => {
      const mainBefore = await repo.head('main');
      const r = await openFixBranch({
        incidentId: `inc_helm${i}`,
        rootCause: rootCauseWith(c.mode, c.patch),
        repo: { url: repo.remote, defaultBranch: 'main' },
        workDir: repo.work,
      });
      if (isDecline(r)) throw new Error(r.reason);
      const original = await repo.original(c.file);
      expect(original.split(c.line[0]).length).toBe(2);
      expect([r.proposal.path, r.proposal.field, r.proposal.editedField]).toEqual([
        c.file,
        c.patch.field,
        c.editedField,
      ]);
      expect(changedLines(r.proposal.patch)).toEqual([`-${c.line[0]}`, `+${c.line[1]}`]);
      // Every other byte of the values file stays: comments, quoting, blank lines, key order.
      expect(r.proposal.content).toBe(original.replace(c.line[0], c.line[1]));
      expect(() => parse(r.proposal.content) as unknown).not.toThrow();
      expect(r.branch).toMatch(new RegExp(`^sleuth/inc_helm${i}-`));
      expect(await repo.show(r.branch, c.file)).toBe(r.proposal.content);
      expect(await repo.head('main')).toBe(mainBefore);
      expect(await repo.show('main', c.file)).toBe(original);
    });
  });

  it('declines a field the template puts inside a conditional, naming the template line', async () => {
    const r = await proposeFix({
      repoDir: repo.seed,
      incidentId: 'inc_hx',
      rootCause: rootCauseWith(
        'oom-killed',
        patch(
          'shop',
          'Deployment',
          'cart',
          'spec.template.spec.containers[name=metrics].resources.limits.memory',
          '64Mi',
          '96Mi',
        ),
      ),
    });
    expect(r).toEqual({
      declined: true,
      code: 'helm',
      reason:
        'Deployment shop/cart is rendered by the Helm chart at charts/cart, but Sleuth cannot trace spec.template.spec.containers[name=metrics].resources.limits.memory to a values setting: charts/cart/templates/deployment.yaml line 31 puts it inside {{ if .Values.metrics.enabled }}; change it by hand',
    });
  });

  it("checks from against the value the release gets, not the chart's default", async () => {
    const r = await proposeFix({
      repoDir: repo.seed,
      incidentId: 'inc_hy',
      rootCause: rootCauseWith(
        'oom-killed',
        patch('shop', 'Deployment', 'cart', `${API}.resources.limits.memory`, '512Mi', '768Mi'),
      ),
    });
    expect(r).toEqual({
      declined: true,
      code: 'drift',
      reason:
        'clusters/prod/cart-values.yaml says 1Gi, the live object 512Mi: the repo and the cluster have drifted; reconcile them before Sleuth proposes a change',
    });
  });
});
