/** Every call the UI makes to the server goes through this module. */
export * from './http';
export * from './fleet';
export * from './incidents';
export * from './fixes';
export * from './topology';
export * from './objects';
export * from './events';
export * from './signal-windows';
export * from './logs';
export * from './series';
export * from './log-templates';
export * from './chat';
export * from './alerts';
export * from './settings';
export type * from './types';
export type * from './detail-types';
export * from './auth';
export * from './admin';
