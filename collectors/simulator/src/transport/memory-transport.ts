import type { OtlpSignal } from '../otlp/types';
import type { OtlpExportRequest, OtlpTransport } from './otlp-transport';

/** One request the in-memory transport received, with its exact JSON body. */
export interface CapturedRequest {
  signal: OtlpSignal;
  request: OtlpExportRequest;
  body: string;
}

/**
 * Keeps every request in memory, in order. For tests and for tools that want to look at what
 * the simulator would send. `fail` makes the next sends reject.
 */
export class MemoryTransport implements OtlpTransport {
  readonly requests: CapturedRequest[] = [];
  private failures: Error[] = [];

  send(signal: OtlpSignal, request: OtlpExportRequest): Promise<void> {
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    // A deep copy: later changes to simulator state cannot change what was "sent".
    this.requests.push({ signal, request: structuredClone(request), body: JSON.stringify(request) });
    return Promise.resolve();
  }

  /** Makes the next `errors.length` sends reject with these errors, in order. */
  fail(...errors: Error[]): void {
    this.failures.push(...errors);
  }

  /** Forgets captured requests (e.g. between phases of a test). */
  clear(): void {
    this.requests.length = 0;
  }
}
