/** Everything the detector tests build from: Kubernetes objects, and timelines to play them. */
export * from './kube-objects';
export * from './timeline';
