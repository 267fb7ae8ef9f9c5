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

  it('writes a checked image reference plain where the old value was plain, and keeps quotes', () => {
    const text =
      'containers:\n- name: api\n  image: ghcr.io/acme/cart:1.5.0 # pinned\n- name: web\n  image: "nginx:1.25"\n';
    const target = { text, documentIndex: 0, objectPath: [] };
    const plain = edit(target, {
      op: 'set',
      path: path('containers[name=api].image'),
      value: 'ghcr.io/acme/cart:1.4.2',
      plain: true,
    });
    expect(plain).toBe(text.replace('cart:1.5.0', 'cart:1.4.2'));
    const quoted = edit(target, {
      op: 'set',
      path: path('containers[name=web].image'),
      value: 'nginx:1.24',
      plain: true,
    });
    expect(quoted).toBe(text.replace('"nginx:1.25"', '"nginx:1.24"'));
    // Text YAML would read as something else is quoted even when asked for plain.
    const odd = edit(target, {
      op: 'set',
      path: path('containers[name=api].image'),
      value: 'a: b',
      plain: true,
    });
    expect(odd).toBe(text.replace('ghcr.io/acme/cart:1.5.0', '"a: b"'));
  });

  describe('append', () => {
    const env = path('spec.containers[name=api].env');
    const item = { name: 'DB_URL', value: '' };
    const comment = 'TODO(sleuth): set DB_URL';

    it('adds a map after the last item, at the columns of the items, keeping every other byte', () => {
      const text = [
        'spec:',
        '  containers:',
        '    - name: api',
        '      env:',
        '        - name: LOG_LEVEL # kept',
        '          value: info',
        '        - name: DB_PASSWORD',
        '          valueFrom:',
        '            secretKeyRef: {name: db, key: password}',
        '      image: x',
        '',
      ].join('\n');
      const out = edit(
        { text, documentIndex: 0, objectPath: [] },
        { op: 'append', path: env, item, comment },
      );
      expect(out).toBe(
        text.replace(
          '{name: db, key: password}\n',
          '{name: db, key: password}\n        - name: DB_URL\n          value: "" # TODO(sleuth): set DB_URL\n',
        ),
      );
      const compact = 'spec:\n  containers:\n  - name: api\n    env:\n    -   name: A\n        value: "1"\n';
      expect(
        edit({ text: compact, documentIndex: 0, objectPath: [] }, { op: 'append', path: env, item }),
      ).toBe(`${compact}    -   name: DB_URL\n        value: ""\n`);
    });

    it("creates the list under a missing or empty key, in the document's list indentation", () => {
      const indented = 'spec:\n  containers:\n    - name: api\n      image: x # pinned\n    - name: web\n';
      expect(
        edit(
          { text: indented, documentIndex: 0, objectPath: [] },
          { op: 'append', path: env, item, comment },
        ),
      ).toBe(
        indented.replace(
          '# pinned\n',
          '# pinned\n      env:\n        - name: DB_URL\n          value: "" # TODO(sleuth): set DB_URL\n',
        ),
      );
      const flush = 'spec:\r\n  containers:\r\n  - name: api\r\n    env:\r\n    image: x\r\n';
      expect(edit({ text: flush, documentIndex: 0, objectPath: [] }, { op: 'append', path: env, item })).toBe(
        flush.replace('env:\r\n', 'env:\r\n    - name: DB_URL\r\n      value: ""\r\n'),
      );
    });

    it('declines flow lists, lists of scalars, and comments that are not one line', () => {
      const at = (text: string, over: Partial<Extract<FieldEdit, { op: 'append' }>> = {}) =>
        applyFieldEdits({ text, documentIndex: 0, objectPath: [] }, [
          { op: 'append', path: env, item, ...over },
        ]);
      const flow = at('spec:\n  containers:\n  - name: api\n    env: []\n');
      expect(isDecline(flow) && flow.reason).toBe(
        'cannot add to spec.containers[name=api].env: it is not a block list',
      );
      const scalars = at('spec:\n  containers:\n  - name: api\n    env:\n    - A=1\n');
      expect(isDecline(scalars) && scalars.code).toBe('unsupported');
      const multiLine = at('spec:\n  containers:\n  - name: api\n', { comment: 'set it\nimage: evil' });
      expect(isDecline(multiLine) && multiLine.reason).toBe('a comment must be one line of text');
      const noContainer = applyFieldEdits(
        { text: 'spec:\n  containers: []\n', documentIndex: 0, objectPath: [] },
        [{ op: 'append', path: env, item }],
      );
      expect(isDecline(noContainer) && noContainer.code).toBe('unsupported');
    });
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
