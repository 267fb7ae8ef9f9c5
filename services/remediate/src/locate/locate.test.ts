import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDecline, type Decline } from '../decline';
import { formatFieldPath, parseFieldPath, type PathSegment } from '../field-path';
import { locateManifest, type LocatedManifest } from './locate';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/gitops/', import.meta.url));

function field(f: string): PathSegment[] {
  const p = parseFieldPath(f);
  if ('error' in p) throw new Error(p.error);
  return p;
}

function located(r: LocatedManifest | Decline): LocatedManifest {
  if (isDecline(r)) throw new Error(r.reason);
  return r;
}

const MEMORY = 'spec.template.spec.containers[name=api].resources.limits.memory';

describe('locateManifest: plain YAML', () => {
  const repo = join(FIXTURES, 'plain');

  it('finds an object in a multi-document file, with its document index', async () => {
    const m = located(await locateManifest(repo, { kind: 'Deployment', name: 'cart', namespace: 'shop' }));
    expect([m.file, m.documentIndex, m.objectPath, m.via]).toEqual(['apps/shop/cart.yaml', 1, [], 'plain']);
    const hpa = located(
      await locateManifest(repo, { kind: 'HorizontalPodAutoscaler', name: 'cart', namespace: 'shop' }),
    );
    expect(hpa.documentIndex).toBe(2);
  });

  it('finds an item of a kind: List and reads its values', async () => {
    const m = located(
      await locateManifest(
        repo,
        { kind: 'Deployment', name: 'checkout', namespace: 'shop' },
        { field: field(MEMORY) },
      ),
    );
    expect([m.file, m.documentIndex, m.objectPath]).toEqual([
      'apps/shop/checkout-list.yaml',
      0,
      ['items', 0],
    ]);
    expect(m.valueOf(field(MEMORY))).toEqual({ found: true, value: '1Gi' });
  });

  it('declines an object in another namespace, one defined twice, and one nowhere', async () => {
    const other = await locateManifest(repo, { kind: 'Deployment', name: 'cart', namespace: 'web' });
    expect(isDecline(other) && other.reason).toBe('no manifest in the repo defines Deployment web/cart');
    const twice = await locateManifest(repo, { kind: 'Deployment', name: 'payments', namespace: 'shop' });
    expect(isDecline(twice) && twice.code).toBe('ambiguous');
    expect(isDecline(twice) && twice.reason).toBe(
      'Deployment payments is defined in 2 files: apps/shop/payments.yaml, legacy/payments.yaml; say which with remediation.paths',
    );
    const narrowed = located(
      await locateManifest(
        repo,
        { kind: 'Deployment', name: 'payments', namespace: 'shop' },
        { paths: ['apps'] },
      ),
    );
    expect(narrowed.file).toBe('apps/shop/payments.yaml');
  });
});

describe('locateManifest: Kustomize', () => {
  const repo = join(FIXTURES, 'kustomize');
  const prodCart = { kind: 'Deployment', name: 'prod-cart', namespace: 'shop' };

  it('follows namePrefix and namespace to the base, and a patch that sets the field wins', async () => {
    const mem = located(await locateManifest(repo, prodCart, { field: field(MEMORY) }));
    expect([mem.file, mem.via, mem.renderedBy]).toEqual([
      'overlays/prod/memory-patch.yaml',
      'kustomize-patch',
      'overlays/prod/kustomization.yaml',
    ]);
    expect(mem.valueOf(field(MEMORY)).value).toBe('1Gi');
    const cpu = located(
      await locateManifest(repo, prodCart, {
        field: field('spec.template.spec.containers[name=api].resources.limits.cpu'),
      }),
    );
    expect([cpu.file, cpu.via]).toEqual(['base/deployment.yaml', 'kustomize-base']);
    const staging = located(
      await locateManifest(
        repo,
        { kind: 'Deployment', name: 'cart', namespace: 'shop-staging' },
        { field: field(MEMORY) },
      ),
    );
    expect([staging.file, staging.valueOf(field(MEMORY)).value]).toEqual(['base/deployment.yaml', '512Mi']);
  });

  it('sends image edits to the images: entry that sets the tag', async () => {
    const img = located(
      await locateManifest(repo, prodCart, { field: field('spec.template.spec.containers[name=api].image') }),
    );
    expect([img.file, img.via, formatFieldPath(img.fieldPath)]).toEqual([
      'overlays/prod/kustomization.yaml',
      'kustomize-images',
      'images[0].newTag',
    ]);
  });

  it('does not find the base name once a prefix renames it', async () => {
    const r = await locateManifest(repo, { kind: 'Deployment', name: 'cart', namespace: 'shop' });
    expect(isDecline(r) && r.code).toBe('not-found');
  });
});

describe('locateManifest: Helm charts (a Flux HelmRelease and an Argo CD Application)', () => {
  const repo = join(FIXTURES, 'helm');
  const cart = { kind: 'Deployment', name: 'cart', namespace: 'shop' };
  const API = 'spec.template.spec.containers[name=api]';
  const at = async (ref: typeof cart, f: string, paths?: string[]) =>
    located(await locateManifest(repo, ref, { field: field(f), ...(paths ? { paths } : {}) }));

  it('sends an edit to the values source that wins for the release', async () => {
    const mem = await at(cart, `${API}.resources.limits.memory`);
    expect([
      mem.file,
      mem.via,
      formatFieldPath(mem.fieldPath),
      mem.valueOf(field(`${API}.resources.limits.memory`)),
    ]).toEqual([
      'clusters/prod/cart-values.yaml',
      'helm-values',
      'resources.limits.memory',
      { found: true, value: '1Gi' },
    ]);
    expect(mem.describe).toBe(
      'clusters/prod/cart-values.yaml (values file 2 of HelmRelease shop/cart in clusters/prod/cart-release.yaml; charts/cart/templates/deployment.yaml line 30 renders resources.limits.memory into Deployment shop/cart)',
    );
    const cpu = await at(cart, `${API}.resources.limits.cpu`);
    expect([
      cpu.file,
      formatFieldPath(cpu.fieldPath),
      cpu.valueOf(field(`${API}.resources.limits.cpu`)).value,
    ]).toEqual(['charts/cart/values.yaml', 'resources.limits.cpu', '500m']);
    expect(cpu.describe).toMatch(
      /; resources\.limits\.cpu there is also what Application argocd\/cart-staging in clusters\/staging\/cart-app\.yaml gets\)$/,
    );
    const hpa = await at({ ...cart, kind: 'HorizontalPodAutoscaler' }, 'spec.maxReplicas');
    expect([hpa.file, formatFieldPath(hpa.fieldPath), hpa.valueOf(field('spec.maxReplicas')).value]).toEqual([
      'clusters/prod/cart-release.yaml',
      'spec.values.autoscaling.maxReplicas',
      6,
    ]);
    const staging = { kind: 'Service', name: 'staging-cart', namespace: 'shop-staging' };
    const port = await at(staging, 'spec.ports[0].targetPort');
    expect([
      port.file,
      formatFieldPath(port.fieldPath),
      port.valueOf(field('spec.ports[0].targetPort')).value,
    ]).toEqual(['charts/cart/values-staging.yaml', 'service.targetPort', 8081]);
  });

  it('renders what fixers read beside the field: the container ports, the request', async () => {
    const probe = await at(cart, `${API}.livenessProbe.httpGet.port`);
    expect(probe.valuesOf(field(`${API}.ports`))).toEqual([[{ name: 'http', containerPort: 8080 }]]);
    expect(probe.valueOf(field(`${API}.resources.requests.memory`))).toEqual({ found: true, value: '256Mi' });
  });

  it("splits an image into the values' repository and tag, and edits only the tag", async () => {
    const img = await at(cart, `${API}.image`);
    expect([img.file, formatFieldPath(img.fieldPath), img.valueOf(field(`${API}.image`)).value]).toEqual([
      'clusters/prod/cart-values.yaml',
      'image.tag',
      'ghcr.io/acme/cart:1.4.2',
    ]);
    expect(img.toSourceValue?.('ghcr.io/acme/cart:1.4.0')).toBe('1.4.0');
    const moved = img.toSourceValue?.('ghcr.io/other/cart:1.4.0');
    expect(isDecline(moved) && [moved.code, moved.reason]).toEqual([
      'needs-person',
      'the patch changes the image repository, which charts/cart/templates/deployment.yaml line 21 takes from image.repository; Sleuth changes only image.tag in clusters/prod/cart-values.yaml, so a person should decide',
    ]);
    const digest = img.toSourceValue?.(`ghcr.io/acme/cart@sha256:${'a'.repeat(64)}`);
    expect(isDecline(digest) && digest.code).toBe('unsupported');
  });

  it('declines a field a template conditional decides, naming the line', async () => {
    const r = await locateManifest(repo, cart, {
      field: field('spec.template.spec.containers[name=metrics].resources.limits.memory'),
    });
    expect(r).toEqual({
      declined: true,
      code: 'helm',
      reason:
        'Deployment shop/cart is rendered by the Helm chart at charts/cart, but Sleuth cannot trace spec.template.spec.containers[name=metrics].resources.limits.memory to a values setting: charts/cart/templates/deployment.yaml line 31 puts it inside {{ if .Values.metrics.enabled }}; change it by hand',
    });
  });

  it('finds only the releases under remediation.paths, and objects a release renders', async () => {
    const r = await locateManifest(repo, cart, {
      field: field(`${API}.resources.limits.memory`),
      paths: ['clusters/staging'],
    });
    expect(isDecline(r) && r.reason).toBe(
      'no manifest in the repo under clusters/staging defines Deployment shop/cart',
    );
    const staging = await at(
      { kind: 'Deployment', name: 'staging-cart', namespace: 'shop-staging' },
      `${API}.resources.limits.memory`,
      ['clusters/staging'],
    );
    expect(staging.file).toBe('charts/cart/values.yaml');
    // Staging turns autoscaling off, so its chart renders no HPA.
    const hpa = await locateManifest(repo, {
      kind: 'HorizontalPodAutoscaler',
      name: 'staging-cart',
      namespace: 'shop-staging',
    });
    expect(isDecline(hpa) && hpa.code).toBe('not-found');
  });
});

describe('locateManifest: what it will not guess', () => {
  let dir: string;
  const put = async (rel: string, text: string): Promise<void> => {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), text);
  };
  const deployment = (name: string, extra = '') =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n${extra}spec:\n  template:\n    spec:\n      containers:\n        - name: api\n          resources: {limits: {memory: 1Gi}}\n`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sleuth-locate-'));
    await put('app/web.yaml', deployment('web'));
    await put('node_modules/pkg/web.yaml', deployment('web'));
    await put('big/web.yaml', `${deployment('web')}# ${'x'.repeat(1024 * 1024)}\n`);
    await put('k/base/kustomization.yaml', 'resources: [d.yaml]\n');
    await put('k/base/d.yaml', deployment('api', '  labels: {tier: backend}\n'));
    await put('k/base/w.yaml', deployment('worker', '  labels: {tier: backend}\n'));
    await put(
      'k/overlay/kustomization.yaml',
      [
        'resources: [../base, ../base/w.yaml]',
        'patches:',
        '  - target: {kind: Deployment, labelSelector: tier=backend}',
        '    path: all-memory.yaml',
        '  - patch: |-',
        '      - op: replace',
        '        path: /spec/replicas',
        '        value: 2',
        '    target: {kind: Deployment, name: api}',
        '',
      ].join('\n'),
    );
    await put(
      'k/overlay/all-memory.yaml',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: any\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          resources: {limits: {memory: 2Gi}}\n',
    );
    await put('helm/chart/Chart.yaml', 'apiVersion: v2\nname: queue\nversion: 1.0.0\n');
    await put(
      'helm/chart/templates/deploy.yaml',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-queue\nspec:\n  template:\n    spec:\n      containers:\n        - name: worker\n          resources:\n            limits:\n              memory: {{ .Values.memory }}\n          ports: [{containerPort: 8080, name: "{{ .Values.port }}"}]\n',
    );
    await put('helm/chart/values.yaml', 'memory: 1Gi # queue workers\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('skips node_modules and files over 1 MiB', async () => {
    const m = located(await locateManifest(dir, { kind: 'Deployment', name: 'web', namespace: 'x' }));
    expect(m.file).toBe('app/web.yaml');
  });

  it('finds an object a Helm chart renders for a release the repo does not name, and says what it cannot trace', async () => {
    const queue = { kind: 'Deployment', name: 'prod-queue', namespace: 'q' };
    const m = located(await locateManifest(dir, queue));
    expect([m.file, m.via, m.describe]).toEqual([
      'helm/chart/templates/deploy.yaml',
      'helm-template',
      'helm/chart/templates/deploy.yaml (document 1, a template of the Helm chart at helm/chart; no HelmRelease, Application or helmfile in the repo names the release, so Deployment q/prod-queue was matched by its kind and the name helm/chart/templates/deploy.yaml gives it)',
    ]);
    const r = await locateManifest(dir, queue, { field: field(MEMORY) });
    expect(r).toEqual({
      declined: true,
      code: 'helm',
      reason:
        'Deployment q/prod-queue is rendered by the Helm chart at helm/chart, whose helm/chart/templates/deploy.yaml does not write spec.template.spec.containers[name=api].resources.limits.memory; no values setting changes it, so change the chart by hand',
    });
    const other = await locateManifest(dir, { kind: 'Deployment', name: 'prod-cache', namespace: 'q' });
    expect(isDecline(other) && other.code).toBe('not-found');
  });

  it('traces a field of such an object to the chart values, and says how the object was matched', async () => {
    const worker = 'spec.template.spec.containers[name=worker].resources.limits.memory';
    const m = located(
      await locateManifest(
        dir,
        { kind: 'Deployment', name: 'prod-queue', namespace: 'q' },
        { field: field(worker) },
      ),
    );
    expect([m.file, formatFieldPath(m.fieldPath), m.valueOf(field(worker)).value]).toEqual([
      'helm/chart/values.yaml',
      'memory',
      '1Gi',
    ]);
    expect(m.describe).toBe(
      'helm/chart/values.yaml (the default values of the chart at helm/chart; helm/chart/templates/deploy.yaml line 12 renders memory into Deployment q/prod-queue; no HelmRelease, Application or helmfile in the repo names the release, so Deployment q/prod-queue was matched by its kind and the name helm/chart/templates/deploy.yaml gives it)',
    );
  });

  it('declines a field set by a patch shared by several objects, and objects under JSON 6902 patches', async () => {
    const shared = await locateManifest(
      dir,
      { kind: 'Deployment', name: 'worker' },
      { field: field(MEMORY) },
    );
    expect(isDecline(shared) && shared.reason).toBe(
      'spec.template.spec.containers[name=api].resources.limits.memory of Deployment worker is set by k/overlay/all-memory.yaml, which patches 2 objects; changing it would change them all',
    );
    const json = await locateManifest(dir, { kind: 'Deployment', name: 'api' }, { field: field(MEMORY) });
    expect(isDecline(json) && json.reason).toMatch(
      /^Deployment api is also changed by JSON 6902 patches in k\/overlay\/kustomization.yaml/,
    );
  });
});
