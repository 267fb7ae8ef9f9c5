import { describe, expect, it } from 'vitest';
import { resolveWindow } from './common';
import { normaliseKind } from './resource-scope';

const NOW = Date.parse('2026-03-02T12:00:00Z');

describe('normaliseKind', () => {
  it('accepts full kinds in any case or plural, and kubectl short names', () => {
    expect(normaliseKind('deployment')).toBe('Deployment');
    expect(normaliseKind('DEPLOYMENTS')).toBe('Deployment');
    expect(normaliseKind('ingresses')).toBe('Ingress');
    const short = { deploy: 'Deployment', sts: 'StatefulSet', ds: 'DaemonSet', po: 'Pod', svc: 'Service' };
    const more = {
      ns: 'Namespace',
      cm: 'ConfigMap',
      pvc: 'PersistentVolumeClaim',
      hpa: 'HorizontalPodAutoscaler',
    };
    for (const [given, kind] of Object.entries({ ...short, ...more, ing: 'Ingress', no: 'Node' }))
      expect(normaliseKind(given)).toBe(kind);
  });

  it('keeps a kind it does not know (a custom resource) as given', () => {
    expect(normaliseKind(' Rollout ')).toBe('Rollout');
  });
});

describe('resolveWindow', () => {
  it('looks back sinceMinutes from now by default', () => {
    expect(resolveWindow({ sinceMinutes: 60 }, NOW)).toEqual({ fromMs: NOW - 3_600_000, toMs: NOW });
  });

  it('takes explicit ISO times, from overriding sinceMinutes', () => {
    const w = resolveWindow(
      { sinceMinutes: 5, from: '2026-03-02T10:00:00Z', to: '2026-03-02T11:00:00+00:00' },
      NOW,
    );
    expect(w).toEqual({
      fromMs: Date.parse('2026-03-02T10:00:00Z'),
      toMs: Date.parse('2026-03-02T11:00:00Z'),
    });
    expect(resolveWindow({ sinceMinutes: 30, to: '2026-03-02T11:00:00Z' }, NOW).fromMs).toBe(
      Date.parse('2026-03-02T10:30:00Z'),
    );
  });

  it('refuses unreadable times, an empty window and one longer than 7 days, saying why', () => {
    expect(() => resolveWindow({ sinceMinutes: 60, from: 'yesterday' }, NOW)).toThrow(/from: "yesterday"/);
    expect(() => resolveWindow({ sinceMinutes: 60, from: '2026-03-02T12:00:00Z' }, NOW)).toThrow(/before/);
    expect(() => resolveWindow({ sinceMinutes: 60, from: '2026-02-01T00:00:00Z' }, NOW)).toThrow(/7 days/);
  });
});
