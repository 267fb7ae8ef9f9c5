import { describe, expect, it } from 'vitest';
import type { RawObject } from './kube-api';
import { podInfo } from './pods';

const METADATA = { namespace: 'shop', name: 'web-7d9f8-abcde', uid: 'uid-1' };
const OWNER = { kind: 'ReplicaSet', name: 'web-7d9f8', controller: true };

/** A pod as the API server serves it: a Deployment's, one init container, one container restarted once. */
const served: RawObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { ...METADATA, labels: { app: 'web', 'pod-template-hash': '7d9f8' }, ownerReferences: [OWNER] },
  spec: { nodeName: 'node-a' },
  status: {
    initContainerStatuses: [
      {
        name: 'migrate',
        restartCount: 0,
        state: { terminated: { containerID: 'containerd://m1', reason: 'Completed', exitCode: 0 } },
      },
    ],
    containerStatuses: [
      {
        name: 'web',
        restartCount: 1,
        containerID: 'containerd://w2',
        state: { running: { startedAt: '2025-06-01T12:00:00Z' } },
        lastState: {
          terminated: {
            containerID: 'containerd://w1',
            reason: 'OOMKilled',
            exitCode: 137,
            finishedAt: '2025-06-01T11:59:58Z',
          },
        },
      },
    ],
  },
};

describe('podInfo', () => {
  it('reads a pod as the API server serves it', () => {
    expect(podInfo(served)).toEqual({
      uid: 'uid-1',
      namespace: 'shop',
      name: 'web-7d9f8-abcde',
      node: 'node-a',
      labels: { app: 'web', 'pod-template-hash': '7d9f8' },
      workload: { 'k8s.replicaset.name': 'web-7d9f8', 'k8s.deployment.name': 'web' },
      containers: [
        {
          name: 'migrate',
          restartCount: 0,
          running: undefined,
          terminated: {
            id: 'containerd://m1',
            reason: 'Completed',
            exitCode: 0,
            finishedMs: 0,
            current: true,
          },
        },
        {
          name: 'web',
          restartCount: 1,
          running: { id: 'containerd://w2', startedMs: Date.parse('2025-06-01T12:00:00Z') },
          terminated: {
            id: 'containerd://w1',
            reason: 'OOMKilled',
            exitCode: 137,
            finishedMs: Date.parse('2025-06-01T11:59:58Z'),
            current: false,
          },
        },
      ],
    });
  });

  // The import hands podInfo the API server's shapes; the live collector hands it whatever the API
  // server (or anything answering in its place) sent.
  it.each<[string, RawObject, string[]]>([
    ['ownerReferences a string', { metadata: { ...METADATA, ownerReferences: 'web-7d9f8' } }, []],
    ['ownerReferences an object', { metadata: { ...METADATA, ownerReferences: OWNER } }, []],
    ['ownerReferences holding null', { metadata: { ...METADATA, ownerReferences: [null, 3, 'x', []] } }, []],
    ['containerStatuses a string', { metadata: METADATA, status: { containerStatuses: 'web' } }, []],
    [
      'containerStatuses an object',
      { metadata: METADATA, status: { containerStatuses: { name: 'web' } } },
      [],
    ],
    [
      'initContainerStatuses holding null',
      { metadata: METADATA, status: { initContainerStatuses: [null, 1] } },
      [],
    ],
    [
      'a state a string',
      { metadata: METADATA, status: { containerStatuses: [{ name: 'web', state: 'x' }] } },
      ['web'],
    ],
    [
      'running and terminated that are not objects',
      {
        metadata: METADATA,
        status: {
          containerStatuses: [{ name: 'web', state: { running: 1, terminated: [] }, lastState: null }],
        },
      },
      ['web'],
    ],
    ['labels a string', { metadata: { ...METADATA, labels: 'app=web' } }, []],
    ['spec and status lists', { metadata: METADATA, spec: ['node-a'], status: ['Running'] }, []],
  ])('does not throw for %s, and reads it as absent', (_name, pod, containers) => {
    const info = podInfo(pod);
    expect(info).toMatchObject({ uid: 'uid-1', namespace: 'shop', name: 'web-7d9f8-abcde', node: undefined });
    expect(info?.labels).toEqual({});
    expect(info?.workload).toEqual({});
    expect(info?.containers).toEqual(
      containers.map((name) => ({ name, restartCount: 0, running: undefined, terminated: undefined })),
    );
  });

  it('keeps the well-formed entries of a list that holds others', () => {
    const pod: RawObject = {
      ...served,
      metadata: { ...served.metadata, ownerReferences: [null, 'x', OWNER] },
      status: { containerStatuses: [null, 7, { restartCount: 2 }, { name: 'web', restartCount: 2 }] },
    };
    expect(podInfo(pod)).toMatchObject({
      workload: { 'k8s.deployment.name': 'web' },
      containers: [{ name: 'web', restartCount: 2, running: undefined, terminated: undefined }],
    });
  });

  it('keeps only string labels', () => {
    const pod: RawObject = { metadata: { ...METADATA, labels: { app: 'web', tier: 3, team: null } } };
    expect(podInfo(pod)?.labels).toEqual({ app: 'web' });
  });

  it.each<[string, RawObject]>([
    ['no metadata', {}],
    ['no uid', { metadata: { namespace: 'shop', name: 'web' } }],
  ])('reads nothing of a pod with %s', (_name, pod) => {
    expect(podInfo(pod)).toBeUndefined();
  });
});
