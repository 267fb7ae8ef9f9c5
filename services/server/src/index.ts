export * from './app';
export * from './metrics';
export * from './serve';
export { main } from './cli';
export { IncidentPipeline } from './incident-pipeline';
export { defaultDetectors, type DetectorSet } from './detectors';
export { ChatService, type ChatServiceDeps } from './chat/chat-service';
export { Investigations, stateKeyOf } from './chat/investigations';
export { createInvestigator, llmSettings } from './llm-setup';
