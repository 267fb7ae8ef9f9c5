/**
 * The in-memory Kubernetes API server the simulated fleet serves its clusters through; tests and
 * benchmarks drive the real collector with it.
 */
export {
  BUILTIN_RESOURCES,
  KubeApiServer,
  type KubeApiServerOptions,
  type KubeObject,
  type ResourceType,
} from '@sleuth/simulator';
