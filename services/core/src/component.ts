/**
 * Every long-lived part of Sleuth. `start` may be called once; `stop` is idempotent and safe to
 * call without `start`. A component stops taking new work, finishes or hands back what it holds,
 * then resolves.
 */
export interface Component {
  start(signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}
