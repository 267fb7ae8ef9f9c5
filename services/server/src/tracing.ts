import { SpanStatusCode, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('sleuth');

/**
 * Runs `fn` inside a span named `name`. Without a configured SDK the API is a no-op, so this
 * costs nothing when self-telemetry is off.
 */
export async function traced<T>(name: string, fn: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, async (span) => {
    try {
      return await fn();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
