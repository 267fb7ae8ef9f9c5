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
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-queue\n',
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('skips node_modules and files over 1 MiB', async () => {
    const m = located(await locateManifest(dir, { kind: 'Deployment', name: 'web', namespace: 'x' }));
    expect(m.file).toBe('app/web.yaml');
  });

  it('declines an object produced by a Helm chart', async () => {
    const r = await locateManifest(dir, { kind: 'Deployment', name: 'prod-queue', namespace: 'q' });
    expect(isDecline(r) && r.reason).toBe(
      'Deployment q/prod-queue is produced by the Helm chart at helm/chart; values files are not supported yet, so change it there by hand',
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
