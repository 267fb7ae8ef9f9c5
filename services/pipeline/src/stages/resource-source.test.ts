import { describe, expect, it } from 'vitest';
import { SignalSource } from '@sleuth/core';
import { sourceFromResource, sourceLabels } from './resource-source';

describe('sourceFromResource', () => {
  it('maps the k8s and service semantic conventions', () => {
    const source = sourceFromResource(
      {
        'k8s.cluster.name': 'prod',
        'k8s.namespace.name': 'shop',
        'k8s.replicaset.name': 'web-5c6',
        'k8s.deployment.name': 'web',
        'k8s.pod.name': 'web-5c6-abcde',
        'k8s.container.name': 'app',
        'k8s.node.name': 'node-1',
        'service.name': 'web-api',
      },
      'fallback',
    );
    expect(SignalSource.parse(source)).toEqual({
      cluster: 'prod',
      namespace: 'shop',
      workloadKind: 'Deployment',
      workload: 'web',
      pod: 'web-5c6-abcde',
      container: 'app',
      node: 'node-1',
      service: 'web-api',
    });
  });

  it.each([
    [{ 'k8s.statefulset.name': 'db' }, 'StatefulSet', 'db'],
    [{ 'k8s.daemonset.name': 'agent' }, 'DaemonSet', 'agent'],
    [{ 'k8s.job.name': 'backup-2901', 'k8s.cronjob.name': 'backup' }, 'CronJob', 'backup'],
    [{ 'k8s.job.name': 'migrate' }, 'Job', 'migrate'],
    [{ 'k8s.replicaset.name': 'orphan-rs' }, 'ReplicaSet', 'orphan-rs'],
  ])('names the workload from %o', (attrs, workloadKind, workload) => {
    expect(sourceFromResource(attrs, 'c')).toEqual({ cluster: 'c', workloadKind, workload });
  });

  it('falls back to the default cluster and ignores empty or non-string values', () => {
    expect(
      sourceFromResource({ 'k8s.cluster.name': '', 'k8s.pod.name': 42, 'service.name': 'x' }, 'dflt'),
    ).toEqual({
      cluster: 'dflt',
      service: 'x',
    });
  });

  it('gives metric labels for the known fields only', () => {
    expect(
      sourceLabels({ cluster: 'c', namespace: 'n', workloadKind: 'Deployment', workload: 'w', node: 'nd' }),
    ).toEqual([
      ['cluster', 'c'],
      ['namespace', 'n'],
      ['workload', 'w'],
      ['node', 'nd'],
    ]);
  });
});
