export * from './queries';
export * from './store';
