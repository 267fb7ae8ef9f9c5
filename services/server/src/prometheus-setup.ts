import type { FrozenConfig, Logger } from '@sleuth/core';
import { PrometheusClient, type PrometheusSettings, type StoreContextOptions } from '@sleuth/analyze';

/** The client settings the `prometheus` config section describes; undefined without a `url`. */
export function prometheusSettings(p: FrozenConfig['prometheus']): PrometheusSettings | undefined {
  if (p.url === undefined) return undefined;
  return {
    url: p.url,
    bearerToken: p.bearerToken,
    cluster: p.cluster,
    timeoutMs: p.timeoutSeconds * 1000,
    maxSeries: p.maxSeries,
    maxPoints: p.maxPoints,
  };
}

/**
 * The PromQL client for the configured Prometheus (`prometheus.url`), or undefined when none is
 * configured. Stateless: the investigator and the analyzers may share one or each build their own.
 */
export function createPrometheusClient(config: FrozenConfig): PrometheusClient | undefined {
  const settings = prometheusSettings(config.prometheus);
  return settings ? new PrometheusClient(settings) : undefined;
}

/**
 * What a StoreContext reads besides the store, per the config: the configured Prometheus for the
 * pod series the store lacks, its failures logged as warnings. Empty without `prometheus.url`.
 */
export function storeContextOptions(config: FrozenConfig, logger: Logger): StoreContextOptions {
  const prometheus = createPrometheusClient(config);
  if (!prometheus) return {};
  return {
    prometheus,
    onPrometheusError: (err) =>
      logger.warn(
        { err: err.message, code: err.code },
        'Prometheus fallback failed; analyzing from the store alone',
      ),
  };
}
