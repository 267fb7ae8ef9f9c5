import type { EventRecorder } from '../k8s/event-recorder';
import type { ObjectWatch } from '../k8s/object-watch';
import type { SeriesRegistry } from '../metrics/series-registry';
import type { Rng } from '../random';
import type { Outbox } from './outbox';
import type { ClusterState } from './state';

/**
 * Everything one simulated cluster needs while a tick runs: its state, the shared random
 * generator, and the sinks its signals go to (the exporter's outbox, the event recorder, the
 * object watch and the metric series).
 */
export interface ClusterRuntime {
  name: string;
  state: ClusterState;
  rng: Rng;
  outbox: Outbox;
  events: EventRecorder;
  watch: ObjectWatch;
  metrics: SeriesRegistry;
  /** Share of entry requests whose traces are kept (head sampling). */
  traceSampleRatio: number;
}
