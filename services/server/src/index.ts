export * from './app';
export * from './metrics';
export * from './serve';
export { main } from './cli';
export { IncidentPipeline } from './incident-pipeline';
export { defaultDetectors, type DetectorSet } from './detectors';
