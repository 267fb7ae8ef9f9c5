export { buildTopology } from './topology/build';
export {
  EDGE_KINDS,
  TopologyGraph,
  type EdgeKind,
  type Reached,
  type TopologyEdge,
  type TopologyNode,
} from './topology/graph';
export { TOPOLOGY_KINDS, TopologySource, type TopologySourceOptions } from './topology/source';
export {
  Correlator,
  DEFAULT_CORRELATOR_OPTIONS,
  type CorrelatorOptions,
  type TopologyLookup,
} from './correlator/correlator';
export { callNeighbours, topOwner, unitsOf } from './correlator/units';
