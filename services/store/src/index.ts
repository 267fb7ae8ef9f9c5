export * from './queries';
export * from './store';
export { parseQuery } from './parse-query';
export { RetentionScheduler, type RetentionSchedulerOptions } from './retention';
export { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store';
