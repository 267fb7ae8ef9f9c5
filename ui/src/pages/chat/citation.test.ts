import { describe, expect, it } from 'vitest';
import { citationTarget } from './citation';
import { pinFromQuery } from './pin';

describe('citationTarget', () => {
  it('links logs, series and alerts to the pages that show them', () => {
    expect(citationTarget({ kind: 'log', ids: ['l1', 'l2'] })).toEqual({
      href: '/logs?ids=l1,l2',
      label: '2 log lines',
    });
    const s = citationTarget({
      kind: 'series',
      name: 'container_memory_working_set_bytes',
      labels: { namespace: 'shop', pod: 'cart-1' },
      fromMs: 1000,
      toMs: 2000,
    });
    expect(s.href).toBe(
      '/series?name=container_memory_working_set_bytes&l.namespace=shop&l.pod=cart-1&from=1000&to=2000',
    );
    expect(citationTarget({ kind: 'alert', id: 'alt_1' }).href).toBe('/alerts?id=alt_1');
  });

  it('sends events, objects and anomalies to the incident when known, else describes them', () => {
    expect(citationTarget({ kind: 'anomaly', id: 'an_1' }, 'inc_9')).toEqual({
      href: '/incidents/inc_9',
      label: 'anomaly an_1',
    });
    const obj = citationTarget({
      kind: 'object',
      ref: { cluster: 'eu', namespace: 'shop', kind: 'Deployment', name: 'cart' },
      field: 'spec.replicas',
      timeMs: 0,
    });
    expect(obj.href).toBeUndefined();
    expect(obj.label).toContain('shop/Deployment/cart spec.replicas');
    expect(citationTarget({ kind: 'event', ids: ['e1'] }).label).toBe('1 Kubernetes event (e1)');
  });
});

describe('pinFromQuery', () => {
  it('pins an incident or a resource, and says what is wrong with a bad link', () => {
    expect(pinFromQuery(new URLSearchParams('incident=inc_1'))).toEqual({
      pin: { incidentId: 'inc_1' },
      question: 'What is wrong with this incident?',
      title: 'Incident inc_1',
    });
    expect(pinFromQuery(new URLSearchParams('resource=shop/deploy/cart&cluster=eu'))).toMatchObject({
      pin: { resource: { cluster: 'eu', namespace: 'shop', kind: 'Deployment', name: 'cart' } },
    });
    expect(pinFromQuery(new URLSearchParams('resource=Node/n1&cluster=eu'))).toMatchObject({
      pin: { resource: { cluster: 'eu', kind: 'Node', name: 'n1' } },
    });
    expect(pinFromQuery(new URLSearchParams('resource=shop/deploy/cart'))).toHaveProperty('problem');
    expect(pinFromQuery(new URLSearchParams('resource=cart&cluster=eu'))).toHaveProperty('problem');
    expect(pinFromQuery(new URLSearchParams(''))).toBeUndefined();
  });
});
