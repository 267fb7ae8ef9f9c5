/** Every call the UI makes to the server goes through this module. */
export * from './http';
export * from './fleet';
export * from './incidents';
export type * from './types';
