import { describe, expect, it } from 'vitest';
import { emptyBatch, type ObjectSnapshot } from '@sleuth/core';
import { redactBatch } from './redact-batch';
import { isSecretKey, redactAttributes, redactText } from './redaction';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
const GH = `ghp_${'a1B2c3D4e5'.repeat(4)}`;

describe('redactText', () => {
  it.each([
    [
      'Authorization header',
      'GET / Authorization: Bearer abc.def-123',
      'GET / Authorization: Bearer [REDACTED]',
    ],
    ['authorization assignment', 'authorization=Basic dXNlcjpwYXNz', 'authorization=Basic [REDACTED]'],
    [
      'bare bearer token',
      'sent bearer 0123456789abcdefXYZ to upstream',
      'sent bearer [REDACTED] to upstream',
    ],
    ['password=', 'login user=bob password=hunter2 ok', 'login user=bob password=[REDACTED] ok'],
    ['passwd:', 'passwd: s3cr3t', 'passwd: [REDACTED]'],
    ['pwd=', 'connect pwd=Xy9!', 'connect pwd=[REDACTED]'],
    ['client_secret', 'client_secret=abc123&grant_type=x', 'client_secret=[REDACTED]&grant_type=x'],
    ['token in JSON', '{"user":"bob","token":"t0k3n","n":1}', '{"user":"bob","token":"[REDACTED]","n":1}'],
    ['api_key', 'api_key=AIzaSyD-123', 'api_key=[REDACTED]'],
    ['apikey', "apikey: 'k-123'", "apikey: '[REDACTED]'"],
    ['X-Api-Key header', 'X-Api-Key: 12345', 'X-Api-Key: [REDACTED]'],
    ['access_key', 'aws_secret_access_key = wJalrXUtnFEMI', 'aws_secret_access_key = [REDACTED]'],
    ['URL userinfo', 'dsn=postgres://app:hunter2@db:5432/app', 'dsn=postgres://app:[REDACTED]@db:5432/app'],
    ['AWS access key id', 'key id AKIAIOSFODNN7EXAMPLE used', 'key id [REDACTED] used'],
    ['GitHub token', `cloning with ${GH}`, 'cloning with [REDACTED]'],
    ['GitHub fine-grained token', 'github_pat_11ABCDEFG0123456789_abcdefghij', '[REDACTED]'],
    ['Slack token', 'slack xoxb-123456789012-abcdefABCDEF', 'slack [REDACTED]'],
    ['JWT', `session ${JWT} expired`, 'session [REDACTED] expired'],
    [
      'PEM private key',
      'key: -----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK\n-----END RSA PRIVATE KEY----- loaded',
      'key: -----BEGIN RSA PRIVATE KEY-----[REDACTED]-----END RSA PRIVATE KEY----- loaded',
    ],
    [
      'truncated PEM private key',
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq…[truncated 9000 bytes]',
      '-----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY-----',
    ],
  ])('masks %s', (_name, input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it.each([
    ['a password that is not assigned', 'password reset email sent to bob'],
    ['a plural key', 'passwords_changed=3 tokens_used=1200'],
    ['a key that only starts with a secret word', 'max_tokens=4096 secret_name=db-creds tokenizer=bpe'],
    ['a URL without userinfo password', 'GET http://api:8080/v1/orders?id=7'],
    ['a URL with a user only', 'ssh://git@github.com/org/repo'],
    ['an AKIA-like word', 'AKIASHORT is not a key'],
    ['a GitHub-like prefix', 'ghp_short and gho_'],
    ['a Slack-like word', 'xoxo-hugs from the team'],
    ['one base64 segment starting eyJ', 'payload eyJhbGciOiJIUzI1NiJ9 only'],
    ['a certificate', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'],
    ['bearer in prose', 'the bearer of bad news'],
  ])('leaves %s alone', (_name, input) => {
    expect(redactText(input)).toBe(input);
  });

  it('is idempotent', () => {
    const once = redactText(`Authorization: Bearer ${JWT} password=x`);
    expect(redactText(once)).toBe(once);
  });
});

describe('attribute redaction', () => {
  it.each([
    ['password', true],
    ['db.password', true],
    ['http.request.header.authorization', true],
    ['http.response.header.set-cookie', true],
    ['x-api-key', true],
    ['client_secret', true],
    ['aws.access_key', true],
    ['gen_ai.usage.input_tokens', false],
    ['k8s.secret.name', false],
    ['http.route', false],
  ])('treats %s as secret: %s', (key, secret) => {
    expect(isSecretKey(key)).toBe(secret);
  });

  it('masks values under secret keys entirely and other strings by content, recursively', () => {
    const attrs = {
      password: 'hunter2',
      'http.request.header.authorization': ['Bearer abc'],
      'db.statement': "SELECT 1 -- password='x'",
      nested: { token: 5, url: 'redis://:s3cret@cache:6379', list: ['api_key=abc', 7] },
      count: 3,
    };
    redactAttributes(attrs);
    expect(attrs).toEqual({
      password: '[REDACTED]',
      'http.request.header.authorization': '[REDACTED]',
      'db.statement': "SELECT 1 -- password='[REDACTED]'",
      nested: { token: '[REDACTED]', url: 'redis://:[REDACTED]@cache:6379', list: ['api_key=[REDACTED]', 7] },
      count: 3,
    });
  });
});

describe('redactBatch', () => {
  it('redacts logs, spans, events and objects in place', () => {
    const source = { cluster: 'c' };
    const batch = emptyBatch();
    batch.logs.push({
      timeMs: 1,
      source,
      severity: 'info',
      body: 'password=hunter2',
      attributes: { token: 'abc' },
    });
    batch.spans.push({
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      name: 'op',
      kind: 'client',
      service: 's',
      source,
      startMs: 1,
      endMs: 2,
      durationMs: 1,
      status: 'error',
      statusMessage: 'auth failed for postgres://u:pw@db/x',
      attributes: { 'url.full': 'https://u:pw@example.com/' },
    });
    const ref = { cluster: 'c', kind: 'Pod', name: 'p' };
    batch.events.push({
      cluster: 'c',
      involved: ref,
      type: 'Warning',
      reason: 'Failed',
      message: `token=${JWT}`,
      count: 1,
      firstMs: 1,
      lastMs: 1,
    });
    const object: ObjectSnapshot['object'] = {
      spec: {
        automountServiceAccountToken: true,
        containers: [
          {
            env: [
              { name: 'DB_PASSWORD', value: 'hunter2' },
              { name: 'LOG_LEVEL', value: 'debug' },
            ],
          },
        ],
      },
    };
    batch.objects.push({ ref, apiVersion: 'v1', timeMs: 1, deleted: false, object });
    redactBatch(batch);
    expect(batch.logs[0]).toMatchObject({ body: 'password=[REDACTED]', attributes: { token: '[REDACTED]' } });
    expect(batch.spans[0]).toMatchObject({
      statusMessage: 'auth failed for postgres://u:[REDACTED]@db/x',
      attributes: { 'url.full': 'https://u:[REDACTED]@example.com/' },
    });
    expect(batch.events[0]?.message).toBe('token=[REDACTED]');
    expect(object).toEqual({
      spec: {
        automountServiceAccountToken: true,
        containers: [
          {
            env: [
              { name: 'DB_PASSWORD', value: '[REDACTED]' },
              { name: 'LOG_LEVEL', value: 'debug' },
            ],
          },
        ],
      },
    });
  });
});
