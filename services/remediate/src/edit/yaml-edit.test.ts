import { describe, expect, it } from 'vitest';
import { isDecline } from '../decline';
import { parseFieldPath, type PathSegment } from '../field-path';
import { applyFieldEdits, type EditTarget, type FieldEdit } from './yaml-edit';

function path(field: string): PathSegment[] {
  const p = parseFieldPath(field);
  if ('error' in p) throw new Error(p.error);
  return p;
}

function edit(target: EditTarget, ...edits: FieldEdit[]): string {
  const r = applyFieldEdits(target, edits);
  if (isDecline(r)) throw new Error(r.reason);
  return r.text;
}

const FILE = `# Shop services: reviewed by the platform team
apiVersion: v1
kind: Service
metadata:
  name: cart   # keep in sync with the Deployment
spec:
  selector: {app: cart}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
spec:
  template:
    spec:
      containers:
      - name: api
        image: "ghcr.io/acme/cart:1.4.0"
        resources:
          limits:
            memory: '512Mi' # sized for 2024 traffic
          requests:
        livenessProbe:
          httpGet: { path: /healthz, port: 8080 }
`;

const deployment: EditTarget = { text: FILE, documentIndex: 1, objectPath: [] };
const service: EditTarget = { text: FILE, documentIndex: 0, objectPath: [] };

describe('applyFieldEdits', () => {
  it('replaces a value in place, keeping its quotes and its comment', () => {
    const out = edit(deployment, {
      op: 'set',
      path: path('spec.template.spec.containers[name=api].resources.limits.memory'),
      value: '768Mi',
    });
    expect(out).toBe(FILE.replace(`memory: '512Mi' #`, `memory: '768Mi' #`));
  });

  it('creates missing keys under an existing map at its indentation', () => {
    const out = edit(deployment, {
      op: 'set',
      path: path('spec.template.spec.containers[name=api].resources.limits.cpu'),
      value: '500m',
    });
    expect(out).toBe(
      FILE.replace(`# sized for 2024 traffic\n`, `# sized for 2024 traffic\n            cpu: 500m\n`),
    );
  });

  it('fills a key that has no value yet', () => {
    const out = edit(deployment, {
      op: 'set',
      path: path('spec.template.spec.containers[name=api].resources.requests.memory'),
      value: '256Mi',
    });
    expect(out).toBe(
      FILE.replace('          requests:\n', '          requests:\n            memory: 256Mi\n'),
    );
  });

  it('edits flow maps as flow maps', () => {
    const port = edit(deployment, {
      op: 'set',
      path: path('spec.template.spec.containers[name=api].livenessProbe.httpGet.port'),
      value: 9090,
    });
    expect(port).toBe(FILE.replace('port: 8080 }', 'port: 9090 }'));
    const sel = edit(service, { op: 'set', path: path('spec.selector.tier'), value: 'web' });
    expect(sel).toBe(FILE.replace('{app: cart}', '{app: cart, tier: web}'));
  });

  it('edits a list item by position and leaves the other document alone', () => {
    const out = edit(service, { op: 'set', path: path('spec.ports[0].targetPort'), value: 9090 });
    expect(out).toBe(FILE.replace('targetPort: 8080', 'targetPort: 9090'));
  });

  it('removes a key of a block map with its line', () => {
    const text = 'kind: Service\nspec:\n  selector:\n    app: cart\n    tier: web # old\n  type: ClusterIP\n';
    const out = edit(
      { text, documentIndex: 0, objectPath: [] },
      { op: 'delete', path: [...path('spec.selector'), { kind: 'key', key: 'tier' }] },
    );
    expect(out).toBe('kind: Service\nspec:\n  selector:\n    app: cart\n  type: ClusterIP\n');
  });

  it('edits an item of a kind: List', () => {
    const text =
      'apiVersion: v1\nkind: List\nitems:\n- apiVersion: autoscaling/v2\n  kind: HorizontalPodAutoscaler\n  metadata: {name: cart}\n  spec:\n    maxReplicas: 4\n';
    const out = edit(
      { text, documentIndex: 0, objectPath: ['items', 0] },
      { op: 'set', path: path('spec.maxReplicas'), value: 6 },
    );
    expect(out).toBe(text.replace('maxReplicas: 4', 'maxReplicas: 6'));
  });

  it('refuses to create a list item, and to edit through aliases or into maps', () => {
    const noItem = applyFieldEdits(deployment, [
      {
        op: 'set',
        path: path('spec.template.spec.containers[name=db].resources.limits.memory'),
        value: '1Gi',
      },
    ]);
    expect(isDecline(noItem) && noItem.reason).toMatch(/does not create list items/);
    const aMap = applyFieldEdits(deployment, [
      { op: 'set', path: path('spec.template.spec.containers[name=api].resources'), value: '1Gi' },
    ]);
    expect(isDecline(aMap) && aMap.reason).toMatch(/not a single value/);
    const aliased = applyFieldEdits(
      { text: 'limits: &l {memory: 1Gi}\nspec:\n  limits: *l\n', documentIndex: 0, objectPath: [] },
      [{ op: 'set', path: path('spec.limits.memory'), value: '2Gi' }],
    );
    expect(isDecline(aliased) && aliased.reason).toMatch(/alias/);
  });

  it('creates a missing resources block in a list item, at the item keys indentation', () => {
    const text = 'containers:\n- name: api\n  image: x # pinned\n- name: web\n  image: y\n';
    const out = edit(
      { text, documentIndex: 0, objectPath: [] },
      { op: 'set', path: path('containers[name=api].resources.limits.memory'), value: '1Gi' },
    );
    expect(out).toBe(
      'containers:\n- name: api\n  image: x # pinned\n  resources:\n    limits:\n      memory: 1Gi\n- name: web\n  image: y\n',
    );
  });

  it('refuses to replace a block of text', () => {
    const r = applyFieldEdits(
      { text: 'data:\n  a: |\n    line\n  b: 1\n', documentIndex: 0, objectPath: [] },
      [{ op: 'set', path: path('data.a'), value: 'x' }],
    );
    expect(isDecline(r) && r.reason).toBe('data.a is a block of text (| or >); edit it by hand');
  });

  it('keeps CRLF files CRLF', () => {
    const text = 'spec:\r\n  limits:\r\n    cpu: 1\r\n';
    const out = edit(
      { text, documentIndex: 0, objectPath: [] },
      { op: 'set', path: path('spec.limits.memory'), value: '1Gi' },
    );
    expect(out).toBe('spec:\r\n  limits:\r\n    cpu: 1\r\n    memory: 1Gi\r\n');
  });
});
