import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ManifestPatch } from '@sleuth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDecline, type Decline } from '../decline';
import { formatFieldPath, parseFieldPath, type PathSegment } from '../field-path';
import { rootCause } from '../fixers/testing/located';
import { proposeFix } from '../propose-fix';
import { locateManifest, type LocatedManifest } from './locate';

const MEMORY = 'spec.template.spec.containers[name=api].resources.limits.memory';

function field(f: string): PathSegment[] {
  const p = parseFieldPath(f);
  if ('error' in p) throw new Error(p.error);
  return p;
}

function located(r: LocatedManifest | Decline): LocatedManifest {
  if (isDecline(r)) throw new Error(r.reason);
  return r;
}

const flux = (name: string, ns: string, spec: string) =>
  `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  chart:\n    spec:\n      chart: ./charts/api\n      sourceRef: {kind: GitRepository, name: flux-system}\n${spec}`;
const argo = (name: string, ns: string, helm: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\n  namespace: argocd\nspec:\n  source:\n    repoURL: https://example.com/gitops.git\n    path: charts/api\n    helm:\n${helm}  destination:\n    namespace: ${ns}\n`;

describe('Helm releases: what each wrapper gives, and what it declines', () => {
  let dir: string;
  const put = async (rel: string, text: string): Promise<void> => {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), text);
  };
  const locate = (name: string, ns: string, f = MEMORY) =>
    locateManifest(dir, { kind: 'Deployment', name: `${name}-api`, namespace: ns }, { field: field(f) });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sleuth-helm-'));
    await put('charts/api/Chart.yaml', 'apiVersion: v2\nname: api\nversion: 1.0.0\n');
    await put(
      'charts/api/values.yaml',
      'image: ghcr.io/acme/api:1.0\nmemory: 512Mi\nmaxReplicas: 4\nenv:\n  - {name: A, value: "1"}\n',
    );
    await put(
      'charts/api/templates/deployment.yaml',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: {{ .Values.image }}\n          env: {{- toYaml .Values.env | nindent 12 }}\n          resources:\n            limits:\n              memory: {{ .Values.memory }}\n',
    );
    await put(
      'charts/api/templates/hpa.yaml',
      'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {{ .Release.Name }}-api\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}\n  minReplicas: 2\n  maxReplicas: {{ .Values.maxReplicas | quote }}\n',
    );
    await put(
      'flux/from.yaml',
      flux('from', 'a', '  valuesFrom:\n    - {kind: ConfigMap, name: api-values}\n'),
    );
    await put('flux/post.yaml', flux('post', 'b', '  postRenderers:\n    - kustomize: {patches: []}\n'));
    await put('flux/files.yaml', flux('files', 'c', '      valuesFiles: [flux/c-values.yaml]\n'));
    await put('flux/c-values.yaml', '# c only\nmemory: 1Gi\n');
    await put('flux/missing.yaml', flux('missing', 'd', '      valuesFiles: [flux/nope.yaml]\n'));
    await put(
      'flux/remote-chart.yaml',
      'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: podinfo, namespace: z}\nspec:\n  chart:\n    spec: {chart: podinfo, sourceRef: {kind: HelmRepository, name: podinfo}}\n',
    );
    await put('argo/remote.yaml', argo('remote', 'e', '      valueFiles: [$values/api/prod.yaml]\n'));
    await put('argo/inline.yaml', argo('inline', 'f', '      valuesObject:\n        memory: 2Gi # inline\n'));
    await put('argo/text.yaml', argo('text', 'g', '      values: |\n        memory: 3Gi\n'));
    await put(
      'argo/params.yaml',
      argo('params', 'h', '      parameters:\n        - {name: memory, value: 4Gi}\n'),
    );
    await put('helmfile.yaml', 'releases:\n  - name: hf\n    namespace: i\n    chart: ./charts/api\n');
    await put('k/kustomization.yaml', 'resources: [release.yaml]\npatches:\n  - path: bump.yaml\n');
    await put('k/release.yaml', flux('patched', 'j', ''));
    await put(
      'k/bump.yaml',
      'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: patched, namespace: j}\nspec:\n  values: {memory: 5Gi}\n',
    );
    await put('dup/flux.yaml', flux('dup', 'k', ''));
    await put('dup/argo.yaml', argo('dup', 'k', '      releaseName: dup\n'));
    await put('charts/odd/Chart.yaml', 'apiVersion: v2\nname: odd\nversion: 1.0.0\n');
    await put(
      'charts/odd/templates/d.yaml',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ (lookup "v1" "ConfigMap" "x" "y").data.name }}\n',
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('Flux: values from ConfigMaps, post-renderers and missing values files decline', async () => {
    expect(await locate('from', 'a')).toEqual({
      declined: true,
      code: 'unsupported',
      reason:
        'HelmRelease a/from in flux/from.yaml also takes values from ConfigMaps or Secrets (spec.valuesFrom), which Sleuth cannot read; change the value by hand',
    });
    const post = await locate('post', 'b');
    expect(isDecline(post) && post.reason).toBe(
      'HelmRelease b/post in flux/post.yaml post-renders the chart (spec.postRenderers), which can change any field; change it by hand',
    );
    const missing = await locate('missing', 'd');
    expect(isDecline(missing) && missing.reason).toBe(
      'HelmRelease d/missing in flux/missing.yaml names the values file flux/nope.yaml, which is not in the repository; change the value by hand',
    );
  });

  it("Flux valuesFiles replace the chart's values.yaml unless they list it", async () => {
    const m = located(await locate('files', 'c'));
    expect([m.file, formatFieldPath(m.fieldPath), m.valueOf(field(MEMORY)).value]).toEqual([
      'flux/c-values.yaml',
      'memory',
      '1Gi',
    ]);
    expect(m.valueOf(field('spec.template.spec.containers[name=api].image'))).toEqual({
      found: true,
      value: null,
    });
  });

  it('Argo CD: valuesObject is edited in place; values text, parameters and other sources decline', async () => {
    const m = located(await locate('inline', 'f'));
    expect([m.file, formatFieldPath(m.fieldPath), m.valueOf(field(MEMORY)).value]).toEqual([
      'argo/inline.yaml',
      'spec.source.helm.valuesObject.memory',
      '2Gi',
    ]);
    const text = await locate('text', 'g');
    expect(isDecline(text) && text.reason).toBe(
      'memory, which charts/api/templates/deployment.yaml renders into spec.template.spec.containers[name=api].resources.limits.memory of Deployment g/text-api, is not in a file Sleuth edits: it is written in the spec.source.helm.values text of Application argocd/text in argo/text.yaml, and Sleuth does not edit YAML inside a string; change it by hand',
    );
    const params = await locate('params', 'h');
    expect(isDecline(params) && params.reason).toMatch(
      /is not in a file Sleuth edits: it is set by spec\.source\.helm\.parameters of Application argocd\/params in argo\/params\.yaml; change it by hand$/,
    );
    const remote = await locate('remote', 'e');
    expect(isDecline(remote) && remote.reason).toBe(
      'Application argocd/remote in argo/remote.yaml reads the values file $values/api/prod.yaml from another source, which Sleuth does not fetch; change the value by hand',
    );
  });

  it('helmfiles, kustomize-patched HelmReleases and two releases of one name decline', async () => {
    const hf = await locate('hf', 'i');
    expect(isDecline(hf) && hf.reason).toBe(
      'the Helm chart at charts/api is installed by helmfile.yaml, which Sleuth does not read yet; change the value by hand',
    );
    const patched = await locate('patched', 'j');
    expect(isDecline(patched) && patched.reason).toBe(
      'HelmRelease j/patched in k/release.yaml is changed by k/kustomization.yaml on its way to the cluster; Sleuth reads it only as its file writes it, so change the value by hand',
    );
    const dup = await locate('dup', 'k');
    expect(isDecline(dup) && dup.reason).toBe(
      'Deployment dup-api is defined in 2 files: charts/api/templates/deployment.yaml via Application argocd/dup in dup/argo.yaml, charts/api/templates/deployment.yaml via HelmRelease k/dup in dup/flux.yaml; say which with remediation.paths',
    );
  });

  it('says when a chart may render the object but its name cannot be evaluated, and names charts from elsewhere', async () => {
    const odd = await locateManifest(dir, { kind: 'Deployment', name: 'odd', namespace: 'x' });
    expect(odd).toEqual({
      declined: true,
      code: 'helm',
      reason:
        'Deployment x/odd may be rendered by a Helm chart, but Sleuth cannot evaluate the name or the conditions of the Deployment in charts/odd/templates/d.yaml; change it there by hand',
    });
    const podinfo = await locateManifest(dir, { kind: 'Service', name: 'podinfo', namespace: 'z' });
    expect(isDecline(podinfo) && podinfo.reason).toContain(
      'HelmRelease z/podinfo in flux/remote-chart.yaml installs the chart podinfo from a HelmRepository, not from this repository',
    );
  });

  it('adds a missing setting where its list is set (Helm replaces lists whole), and checks edits beside it', async () => {
    const env = 'spec.template.spec.containers[name=api].env[name=B].value';
    const m = located(await locate('inline', 'f', env));
    expect([m.file, formatFieldPath(m.fieldPath), m.valueOf(field(env)).found]).toEqual([
      'charts/api/values.yaml',
      'env[name=B].value',
      false,
    ]);
    const append = { op: 'append' as const, path: field('env'), item: { name: 'B', value: '' } };
    const withB = m.text.replace(
      '  - {name: A, value: "1"}\n',
      '  - {name: A, value: "1"}\n  - {name: B, value: ""}\n',
    );
    expect(m.checkEdit?.(withB, [append])).toEqual([]);
    expect(m.checkEdit?.(m.text, [append])).toEqual([
      'spec.template.spec.containers[name=api].env would not render the added item',
    ]);
  });

  it('checks the edited values render into the field with its type: a quoted maxReplicas is refused', async () => {
    const patch: ManifestPatch = {
      kind: 'HorizontalPodAutoscaler',
      name: 'inline-api',
      namespace: 'f',
      field: 'spec.maxReplicas',
      from: '4',
      to: '6',
      rationale: 'At max.',
    };
    const r = await proposeFix({
      repoDir: dir,
      incidentId: 'inc_q',
      rootCause: rootCause('hpa-at-max', patch),
    });
    expect(r).toEqual({
      declined: true,
      code: 'invalid-result',
      reason:
        'the edited values would not give the HorizontalPodAutoscaler what the fix needs (spec.maxReplicas would render 6, which is not an integer); nothing was changed',
    });
  });
});
