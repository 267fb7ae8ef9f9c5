import { describe, expect, it } from 'vitest';
import { subjectOf } from './subject';

const known = { clusters: ['prod-eu', 'prod-us'], namespaces: ['shop', 'payments', 'default'] };
const none = {};

describe('subjectOf', () => {
  it('reads NAMESPACE/KIND/NAME with kubectl short kinds, and a cluster prefix or suffix', () => {
    expect(subjectOf('what is wrong with shop/deploy/cart?', none, known)).toEqual({
      kind: 'resource',
      arg: { namespace: 'shop', kind: 'Deployment', name: 'cart' },
    });
    expect(subjectOf('why is prod-eu/shop/sts/postgres slow', none, known)).toEqual({
      kind: 'resource',
      arg: { namespace: 'shop', kind: 'StatefulSet', name: 'postgres' },
      cluster: 'prod-eu',
    });
    expect(subjectOf('what about svc/checkout in prod-us?', none, known)).toEqual({
      kind: 'resource',
      arg: { kind: 'Service', name: 'checkout' },
      cluster: 'prod-us',
    });
  });

  it('reads "deployment NAME in NAMESPACE" in words', () => {
    expect(subjectOf('Why is the deployment checkout-api in payments crashing?', none, known)).toEqual({
      kind: 'resource',
      arg: { namespace: 'payments', kind: 'Deployment', name: 'checkout-api' },
    });
    expect(subjectOf('is pod cart-5f9-x2 ok on prod-eu', none, known)).toEqual({
      kind: 'resource',
      arg: { kind: 'Pod', name: 'cart-5f9-x2' },
      cluster: 'prod-eu',
    });
  });

  it('reads an incident id', () => {
    expect(subjectOf('explain inc_01jd2k3m4n5p6q7r8s9t0vwxyz please', none, known)).toEqual({
      kind: 'incident',
      id: 'inc_01jd2k3m4n5p6q7r8s9t0vwxyz',
    });
  });

  it('reads a namespace or cluster scope only when Sleuth holds that name', () => {
    expect(subjectOf('what is wrong in shop?', none, known)).toEqual({ kind: 'scope', namespace: 'shop' });
    expect(subjectOf('anything broken in prod-eu', none, known)).toEqual({
      kind: 'scope',
      cluster: 'prod-eu',
    });
    expect(subjectOf('what is wrong in prod-eu/payments?', none, known)).toEqual({
      kind: 'scope',
      cluster: 'prod-eu',
      namespace: 'payments',
    });
    expect(subjectOf('what is wrong in general?', none, known)).toEqual({ kind: 'none' });
  });

  it('falls back to the conversation pin', () => {
    const resource = { cluster: 'prod-eu', namespace: 'shop', kind: 'Deployment', name: 'cart' };
    expect(subjectOf('and now?', { resource }, known)).toEqual({
      kind: 'resource',
      arg: { namespace: 'shop', kind: 'Deployment', name: 'cart' },
      cluster: 'prod-eu',
    });
    expect(subjectOf('why?', { incidentId: 'inc_x' }, known)).toEqual({ kind: 'incident', id: 'inc_x' });
  });
});
