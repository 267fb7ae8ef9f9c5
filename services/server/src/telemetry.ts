import type { FrozenConfig, Logger } from '@sleuth/core';

export interface Telemetry {
  stop(): Promise<void>;
}

/**
 * Sleuth traces itself with the OpenTelemetry Node SDK when an OTLP endpoint is configured
 * (telemetry.otlpEndpoint or OTEL_EXPORTER_OTLP_ENDPOINT). It must start before fastify and
 * node:http are loaded, so the CLI calls it first and imports the server afterwards.
 * Only traces are exported: Sleuth's metrics are served at /metrics for Prometheus to scrape.
 */
export async function startTelemetry(config: FrozenConfig, logger: Logger): Promise<Telemetry | undefined> {
  const endpoint = config.telemetry.otlpEndpoint;
  if (!endpoint) return undefined;
  // The SDK reads these itself and would otherwise start metric and log exporters too.
  process.env['OTEL_METRICS_EXPORTER'] ??= 'none';
  process.env['OTEL_LOGS_EXPORTER'] ??= 'none';
  const [{ NodeSDK }, { OTLPTraceExporter }, { HttpInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-proto'),
    import('@opentelemetry/instrumentation-http'),
  ]);
  const sdk = new NodeSDK({
    serviceName: config.telemetry.serviceName,
    traceExporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` }),
    instrumentations: [new HttpInstrumentation()],
  });
  sdk.start();
  logger.info({ endpoint }, 'exporting Sleuth’s own traces over OTLP');
  return {
    stop: () => sdk.shutdown().catch((err: unknown) => logger.warn({ err }, 'telemetry shutdown failed')),
  };
}
