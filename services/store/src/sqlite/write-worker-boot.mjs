// Entry of the store's writer thread: worker threads do not inherit the main thread's TypeScript
// loader, so register tsx here before loading the worker itself.
import { register } from 'tsx/esm/api';

register();
await import('./write-worker.ts');
