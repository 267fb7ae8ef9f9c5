import { describe, expect, it } from 'vitest';
import { formatFieldPath, parseFieldPath, valueAt } from './field-path';

describe('field paths', () => {
  it('parses keys, [key=value] selectors and positions', () => {
    expect(parseFieldPath('spec.template.spec.containers[name=api].resources.limits.memory')).toEqual([
      { kind: 'key', key: 'spec' },
      { kind: 'key', key: 'template' },
      { kind: 'key', key: 'spec' },
      { kind: 'key', key: 'containers' },
      { kind: 'match', key: 'name', value: 'api' },
      { kind: 'key', key: 'resources' },
      { kind: 'key', key: 'limits' },
      { kind: 'key', key: 'memory' },
    ]);
    expect(parseFieldPath('spec.ports[1].targetPort')).toEqual([
      { kind: 'key', key: 'spec' },
      { kind: 'key', key: 'ports' },
      { kind: 'index', index: 1 },
      { kind: 'key', key: 'targetPort' },
    ]);
  });

  it('refuses anything that is not a plain path', () => {
    for (const bad of [
      '',
      'spec..replicas',
      'spec.containers[name=api; rm]',
      'spec.containers[name="api"]',
      'spec maxReplicas',
      'spec.ports[01]',
      'spec.$patch',
    ])
      expect(parseFieldPath(bad), bad).toHaveProperty('error');
  });

  it('formats back and quotes keys that hold dots', () => {
    const p = parseFieldPath('spec.template.spec.containers[name=api].ports[0].containerPort');
    if ('error' in p) throw new Error(p.error);
    expect(formatFieldPath(p)).toBe('spec.template.spec.containers[name=api].ports[0].containerPort');
    expect(
      formatFieldPath([
        { kind: 'key', key: 'spec' },
        { kind: 'key', key: 'selector' },
        { kind: 'key', key: 'app.kubernetes.io/name' },
      ]),
    ).toBe('spec.selector["app.kubernetes.io/name"]');
  });

  it('finds values in plain data, selecting list items by key', () => {
    const obj = {
      spec: { containers: [{ name: 'web' }, { name: 'api', ports: [{ containerPort: 8080 }] }] },
    };
    const p = parseFieldPath('spec.containers[name=api].ports[0].containerPort');
    if ('error' in p) throw new Error(p.error);
    expect(valueAt(obj, p)).toEqual({ found: true, value: 8080 });
    const missing = parseFieldPath('spec.containers[name=db].ports');
    if ('error' in missing) throw new Error(missing.error);
    expect(valueAt(obj, missing).found).toBe(false);
  });
});
