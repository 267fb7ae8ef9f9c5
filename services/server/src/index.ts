export * from './app';
export * from './metrics';
export * from './serve';
export { main } from './cli';
