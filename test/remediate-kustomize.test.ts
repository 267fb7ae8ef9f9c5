import type { ManifestPatch } from '@sleuth/core';
import { isDecline, openFixBranch, proposeFix, validateManifest } from '@sleuth/remediate';
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
): ManifestPatch => ({
  kind,
  name,
  namespace: ns,
  field,
  from,
  to,
  rationale: 'From the analyzer.',
});

const CASES: {
  name: string;
  mode: string;
  patch: ManifestPatch;
  file: string;
  line: [string, string];
}[] = [
  {
    name: 'prod memory limit: the overlay patch that sets it',
    mode: 'oom-killed',
    patch: patch('shop', 'Deployment', 'prod-cart', `${API}.resources.limits.memory`, '1Gi', '1536Mi'),
    file: 'overlays/prod/memory-patch.yaml',
    line: ['              memory: 1Gi # see INC-2291', '              memory: 1536Mi # see INC-2291'],
  },
  {
    name: 'prod CPU limit: the base, since no patch sets it',
    mode: 'cpu-throttling',
    patch: patch('shop', 'Deployment', 'prod-cart', `${API}.resources.limits.cpu`, '500m', '1'),
    file: 'base/deployment.yaml',
    line: ['              cpu: 500m # per replica', '              cpu: 1 # per replica'],
  },
  {
    name: 'staging memory limit: the base',
    mode: 'memory-near-limit',
    patch: patch('shop-staging', 'Deployment', 'cart', `${API}.resources.limits.memory`, '512Mi', '768Mi'),
    file: 'base/deployment.yaml',
    line: ['              memory: 512Mi', '              memory: 768Mi'],
  },
  {
    name: "prod image rollback: the images: entry's newTag, its quotes and comment kept",
    mode: 'rollout-stalled',
    patch: patch(
      'shop',
      'Deployment',
      'prod-cart',
      `${API}.image`,
      'ghcr.io/acme/cart:1.4.2',
      'ghcr.io/acme/cart:1.4.1',
    ),
    file: 'overlays/prod/kustomization.yaml',
    line: [
      '    newTag: "1.4.2" # the release of 2024-05-02',
      '    newTag: "1.4.1" # the release of 2024-05-02',
    ],
  },
  {
    name: 'staging image rollback: the base, which no images: entry overrides',
    mode: 'unavailable-replicas',
    patch: patch(
      'shop-staging',
      'Deployment',
      'cart',
      `${API}.image`,
      'ghcr.io/acme/cart:1.4.0',
      'ghcr.io/acme/cart:1.3.9',
    ),
    file: 'base/deployment.yaml',
    line: ['          image: ghcr.io/acme/cart:1.4.0', '          image: ghcr.io/acme/cart:1.3.9'],
  },
  {
    name: 'prod HPA maxReplicas: the base',
    mode: 'hpa-at-max',
    patch: patch('shop', 'HorizontalPodAutoscaler', 'prod-cart', 'spec.maxReplicas', '4', '6'),
    file: 'base/hpa.yaml',
    line: ['  maxReplicas: 4', '  maxReplicas: 6'],
  },
];

describe('fix branches against a Kustomize GitOps repository (base + overlays)', () => {
  let repo: GitopsRepo;
  beforeAll(async () => {
    repo = await makeGitopsRepo('kustomize');
  });
  afterAll(async () => {
    await repo.cleanup();
  });

  CASES.forEach((c, i) => {
    it(`${c.name}`, async () => {
      const mainBefore = await repo.head('main');
      const r = await openFixBranch({
        incidentId: `inc_kust${i}`,
        rootCause: rootCauseWith(c.mode, c.patch),
        repo: { url: repo.remote, defaultBranch: 'main' },
        workDir: repo.work,
      });
      if (isDecline(r)) throw new Error(r.reason);
      const original = await repo.original(c.file);
      expect(original.split(c.line[0]).length).toBe(2);
      expect(r.proposal.path).toBe(c.file);
      expect(changedLines(r.proposal.patch)).toEqual([`-${c.line[0]}`, `+${c.line[1]}`]);
      expect(r.proposal.content).toBe(original.replace(c.line[0], c.line[1]));
      const partial = c.file.startsWith('overlays/');
      expect(validateManifest(parse(r.proposal.content), { partial })).toEqual({ ok: true });
      expect(await repo.show(r.branch, c.file)).toBe(r.proposal.content);
      expect(await repo.head('main')).toBe(mainBefore);
    });
  });

  it('reads the name Kustomize renders: the base name alone is not the prod object', async () => {
    const r = await proposeFix({
      repoDir: repo.seed,
      incidentId: 'inc_kx',
      rootCause: rootCauseWith(
        'oom-killed',
        patch('shop', 'Deployment', 'cart', `${API}.resources.limits.memory`, '1Gi', '2Gi'),
      ),
    });
    expect(isDecline(r) && r.reason).toBe('no manifest in the repo defines Deployment shop/cart');
  });

  it('checks an image against what the images: entry renders, and declines a digest it would have to pin', async () => {
    const image = (from: string, to: string) =>
      proposeFix({
        repoDir: repo.seed,
        incidentId: 'inc_kimg',
        rootCause: rootCauseWith(
          'bad-rollout',
          patch('shop', 'Deployment', 'prod-cart', `${API}.image`, from, to),
        ),
      });
    // The base says 1.4.0, but the cluster runs the overlay's 1.4.2: 1.4.0 is not what runs.
    const base = await image('ghcr.io/acme/cart:1.4.0', 'ghcr.io/acme/cart:1.3.9');
    expect(isDecline(base) && base.code).toBe('drift');
    const digest = await image('ghcr.io/acme/cart:1.4.2', `ghcr.io/acme/cart@sha256:${'a'.repeat(64)}`);
    expect(isDecline(digest) && digest.reason).toBe(
      'the images: entry in overlays/prod/kustomization.yaml would have to pin a digest; Sleuth only sets newTag there, so edit it by hand',
    );
  });

  it('checks from against the value the overlay renders, not the base', async () => {
    const r = await proposeFix({
      repoDir: repo.seed,
      incidentId: 'inc_ky',
      rootCause: rootCauseWith(
        'oom-killed',
        patch('shop', 'Deployment', 'prod-cart', `${API}.resources.limits.memory`, '512Mi', '768Mi'),
      ),
    });
    expect(isDecline(r) && r.reason).toBe(
      'the manifest says 1Gi, the live object 512Mi: the repo and the cluster have drifted; reconcile them before Sleuth proposes a change',
    );
  });
});
