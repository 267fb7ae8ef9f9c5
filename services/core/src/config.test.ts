import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors';
import { envNameFor, loadConfig } from './config';
import { renderConfigDocs } from './config-docs';

describe('loadConfig', () => {
  it('gives working defaults with nothing set', () => {
    const c = loadConfig({ env: {} });
    expect(c.server).toMatchObject({ host: '127.0.0.1', port: 7070 });
    expect(c.store.kind).toBe('sqlite');
    expect(c.simulator.mode).toBe('auto');
  });

  it('refuses alert receivers and channels defined twice, without credentials or with two URLs', () => {
    const load = (overrides: Record<string, unknown>) => () => loadConfig({ env: {}, overrides });
    const am = (name: string) => ({ name, source: 'alertmanager', bearerToken: '12345678' });
    expect(load({ 'alerts.receivers': [am('a'), am('a')] })).toThrow(/receiver a is defined twice/);
    expect(load({ 'alerts.receivers': [{ name: 'b', source: 'alertmanager' }] })).toThrow(
      /receiver b needs bearerToken, bearerTokenFile or hmac/,
    );
    expect(
      load({ 'alerts.notifications': [{ name: 'c', type: 'slack', url: 'http://x', urlFile: '/f' }] }),
    ).toThrow(/set exactly one of url and urlFile/);
  });

  it('reads SLEUTH_* variables derived from the key path, with types coerced', () => {
    const c = loadConfig({
      env: { SLEUTH_SERVER_PORT: '8080', SLEUTH_INGEST_REDACT_SECRETS: 'false', SLEUTH_STORE_DATA_DIR: '/x' },
    });
    expect(c.server.port).toBe(8080);
    expect(c.ingest.redactSecrets).toBe(false);
    expect(c.store.dataDir).toBe('/x');
    expect(envNameFor(['store', 'retentionMaxAgeHours'])).toBe('SLEUTH_STORE_RETENTION_MAX_AGE_HOURS');
  });

  it('stops with a message naming the key and where the bad value came from', () => {
    expect(() => loadConfig({ env: { SLEUTH_SERVER_PORT: 'eighty' } })).toThrow(
      /server\.port.*environment variable SLEUTH_SERVER_PORT/,
    );
    expect(() => loadConfig({ env: {}, overrides: { 'store.synchronous': 'sometimes' } })).toThrow(
      /store\.synchronous.*command line/,
    );
  });

  it('treats unknown keys and unknown SLEUTH_ variables as errors (they are usually typos)', () => {
    expect(() => loadConfig({ env: { SLEUTH_SERVER_PROT: '1' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { SLEUTH_SERVER_PROT: '1' } })).toThrow(/SLEUTH_SERVER_PROT/);
    expect(() => loadConfig({ env: {}, overrides: { 'server.prot': 1 } })).toThrow(/unknown key.*prot/);
  });

  it('returns a frozen object', () => {
    const c = loadConfig({ env: {} });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.server)).toBe(true);
  });

  it('takes OTEL_EXPORTER_OTLP_ENDPOINT for self-telemetry', () => {
    const c = loadConfig({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' } });
    expect(c.telemetry.otlpEndpoint).toBe('http://127.0.0.1:4318');
  });

  it('needs a model for an LLM provider and a base URL for Azure, and reads the key from the environment', () => {
    expect(() => loadConfig({ env: { SLEUTH_LLM_PROVIDER: 'openai' } })).toThrow(/llm\.model/);
    expect(() =>
      loadConfig({ env: { SLEUTH_LLM_PROVIDER: 'azure', SLEUTH_LLM_MODEL: 'gpt-4o-deployment' } }),
    ).toThrow(/llm\.baseUrl/);
    const c = loadConfig({
      env: {
        SLEUTH_LLM_PROVIDER: 'openai',
        SLEUTH_LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
        SLEUTH_LLM_MODEL: 'qwen2.5:14b',
        SLEUTH_LLM_API_KEY: 'sk-local',
      },
    });
    expect(c.llm).toMatchObject({
      provider: 'openai',
      model: 'qwen2.5:14b',
      apiKey: 'sk-local',
      maxRetries: 2,
    });
    expect(loadConfig({ env: {} }).llm.provider).toBe('none');
  });

  it('reports a missing or malformed config file by name', () => {
    expect(() => loadConfig({ env: {}, file: '/nonexistent/sleuth.yaml' })).toThrow(
      /sleuth\.yaml cannot be read/,
    );
  });
});

describe('docs/configuration.md', () => {
  it('matches the schema (run `npm run docs:config` after changing a setting)', () => {
    const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    expect(doc).toBe(renderConfigDocs());
  });
});
