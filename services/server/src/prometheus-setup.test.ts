import { describe, expect, it } from 'vitest';
import { PrometheusClient } from '@sleuth/analyze';
import { createLogger, loadConfig } from '@sleuth/core';
import { createPrometheusClient, prometheusSettings, storeContextOptions } from './prometheus-setup';

const config = (overrides: Record<string, unknown> = {}) => loadConfig({ env: {}, overrides });

describe('the Prometheus the config describes', () => {
  it('is absent without prometheus.url', () => {
    expect(createPrometheusClient(config())).toBeUndefined();
    expect(storeContextOptions(config(), createLogger('silent'))).toEqual({});
  });

  it('is a PromQL client with the configured token, cluster, timeout and limits', () => {
    const c = config({
      'prometheus.url': 'http://prometheus:9090',
      'prometheus.bearerToken': 'tok',
      'prometheus.cluster': 'eu',
      'prometheus.timeoutSeconds': 2.5,
      'prometheus.maxSeries': 7,
    });
    expect(prometheusSettings(c.prometheus)).toEqual({
      url: 'http://prometheus:9090',
      bearerToken: 'tok',
      cluster: 'eu',
      timeoutMs: 2500,
      maxSeries: 7,
      maxPoints: 50_000,
    });
    expect(createPrometheusClient(c)).toBeInstanceOf(PrometheusClient);
    const options = storeContextOptions(c, createLogger('silent'));
    expect(options.prometheus?.cluster).toBe('eu');
    expect(options.onPrometheusError).toBeTypeOf('function');
  });
});
