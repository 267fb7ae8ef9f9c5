import { describe, expect, it } from 'vitest';
import { Redactor, type SecretKind } from './redact';

// Fakes in real shapes; built from parts so no scanner mistakes this file for a leak.
const B64_LINE = 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/Iz';
const PEM = (label: string): string =>
  [
    `-----BEGIN ${label}PRIVATE KEY-----`,
    B64_LINE,
    B64_LINE,
    'W0sx6w==',
    `-----END ${label}PRIVATE KEY-----`,
  ].join('\n');
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const ALNUM = 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0';
const GHP = `ghp_${ALNUM.slice(0, 36)}`;
const AWS_ID = ['AKIA', 'IOSFODNN7EXAMPLE'].join('');
const AWS_SECRET = ['wJalrXUtnFEMI', '/K7MDENG/bPxRfiCYEXAMPLEKEY'].join('');

function redacted(text: string): { out: string; counts: Partial<Record<SecretKind, number>> } {
  const r = new Redactor();
  return { out: r.redact(text), counts: r.counts() };
}

describe('Redactor.redact: secrets', () => {
  it.each(['', 'RSA ', 'EC ', 'OPENSSH ', 'ENCRYPTED '])('removes a whole %sPRIVATE KEY block', (label) => {
    const { out, counts } = redacted(`loaded key:\n${PEM(label)}\nstarting server on :8443`);
    expect(out).toBe('loaded key:\n[REDACTED:private-key]\nstarting server on :8443');
    expect(counts).toEqual({ 'private-key': 1 });
  });

  it('removes a key escaped inside JSON and one cut off by truncated output', () => {
    const escaped = `{"private_key": "${PEM('').replaceAll('\n', '\\n')}\\n", "client_email": "x"}`;
    expect(redacted(escaped).out).toBe('{"private_key": "[REDACTED:private-key]\\n", "client_email": "x"}');
    const cut = `-----BEGIN PRIVATE KEY-----\n${B64_LINE}\n${B64_LINE.slice(0, 30)}`;
    expect(redacted(cut).out).toBe('[REDACTED:private-key]');
  });

  it('removes JWTs, also after Bearer', () => {
    expect(redacted(`sa token ${JWT} mounted`).out).toBe('sa token [REDACTED:jwt] mounted');
    const { out, counts } = redacted(`Authorization: Bearer ${JWT}`);
    expect(out).toBe('Authorization: Bearer [REDACTED:jwt]');
    expect(counts).toEqual({ jwt: 1 });
  });

  it('removes bearer tokens in headers, Go header maps and bare', () => {
    expect(redacted('Authorization: Bearer 8f2a9c41d7e3b6a0').out).toBe(
      'Authorization: Bearer [REDACTED:bearer]',
    );
    expect(redacted('"authorization":"Bearer abc.def-ghi"').out).toBe(
      '"authorization":"Bearer [REDACTED:bearer]"',
    );
    expect(redacted('headers=map[Authorization:[Bearer s3cr3t-t0k3n] Accept:[*/*]]').out).toBe(
      'headers=map[Authorization:[Bearer [REDACTED:bearer]] Accept:[*/*]]',
    );
    expect(redacted('Authorization: token opaque_value').out).toBe('Authorization: token [REDACTED:bearer]');
    const { out, counts } = redacted('retrying with bearer 2YotnFZFEjr1zCsicMWpAA');
    expect(out).toBe('retrying with bearer [REDACTED:bearer]');
    expect(counts).toEqual({ bearer: 1 });
  });

  it('removes Basic credentials in headers and bare ones that decode to user:password', () => {
    const basic = Buffer.from('admin:hunter2').toString('base64');
    expect(redacted(`Authorization: Basic ${basic}`).out).toBe('Authorization: Basic [REDACTED:basic-auth]');
    const { out, counts } = redacted(`proxy sent Basic ${basic} upstream`);
    expect(out).toBe('proxy sent Basic [REDACTED:basic-auth] upstream');
    expect(counts).toEqual({ 'basic-auth': 1 });
  });

  it('removes AWS access key ids anywhere and secret keys where labelled', () => {
    const { out, counts } = redacted(
      `aws_access_key_id=${AWS_ID}\naws_secret_access_key = ${AWS_SECRET}\n{"AccessKeyId":"${AWS_ID}","SecretAccessKey":"${AWS_SECRET}"}`,
    );
    expect(out).toBe(
      'aws_access_key_id=[REDACTED:aws-access-key]\naws_secret_access_key = [REDACTED:aws-secret-key]\n' +
        '{"AccessKeyId":"[REDACTED:aws-access-key]","SecretAccessKey":"[REDACTED:aws-secret-key]"}',
    );
    expect(counts).toEqual({ 'aws-access-key': 2, 'aws-secret-key': 2 });
    expect(redacted(`AWS_SECRET_ACCESS_KEY: ${AWS_SECRET}`).out).toBe(
      'AWS_SECRET_ACCESS_KEY: [REDACTED:aws-secret-key]',
    );
  });

  it.each([
    [
      'postgres://orders:pa55@db.shop.svc:5432/orders',
      'postgres://orders:[REDACTED:connection-string-password]@db.shop.svc:5432/orders',
    ],
    [
      'mongodb+srv://app:s3cr%40t@cluster0.ab1cd.mongodb.net/?retryWrites=true',
      'mongodb+srv://app:[REDACTED:connection-string-password]@cluster0.ab1cd.mongodb.net/?retryWrites=true',
    ],
    [
      'redis://:hunter2@redis-master:6379/0',
      'redis://:[REDACTED:connection-string-password]@redis-master:6379/0',
    ],
    [
      'amqp://guest:gue$t@rabbitmq.default:5672',
      'amqp://guest:[REDACTED:connection-string-password]@rabbitmq.default:5672',
    ],
    [
      'dsn="mysql://root:p@ss:w0rd@10.0.3.4:3306/app"',
      'dsn="mysql://root:[REDACTED:connection-string-password]@10.0.3.4:3306/app"',
    ],
    [
      'jdbc:postgresql://svc:pw1@pg:5432/db',
      'jdbc:postgresql://svc:[REDACTED:connection-string-password]@pg:5432/db',
    ],
    [
      'GET https://deploy:tok3n@git.example.com/repo.git',
      'GET https://deploy:[REDACTED:url-credentials]@git.example.com/repo.git',
    ],
  ])('keeps scheme, user and host of %s', (text, expected) => {
    expect(redacted(text).out).toBe(expected);
  });

  it.each([
    ['password=hunter2 user=bob', 'password=[REDACTED:password-assignment] user=bob'],
    ['DB_PASSWORD: x', 'DB_PASSWORD: [REDACTED:password-assignment]'],
    ['{"token": "abc", "user": "bob"}', '{"token": "[REDACTED:password-assignment]", "user": "bob"}'],
    ['api_key=k-123&page=2', 'api_key=[REDACTED:password-assignment]&page=2'],
    ['client_secret: "two words"', 'client_secret: "[REDACTED:password-assignment]"'],
    [
      'mysqldump --password hunter2 --all-databases',
      'mysqldump --password [REDACTED:password-assignment] --all-databases',
    ],
    ['--token=abc123', '--token=[REDACTED:password-assignment]'],
    [
      'Server=sql;User Id=sa;Password=P@ss;',
      'Server=sql;User Id=sa;Password=[REDACTED:password-assignment];',
    ],
    ['{Username:bob Password:hunter2}', '{Username:bob Password:[REDACTED:password-assignment]}'],
    ['msg="{\\"password\\":\\"hunter2\\"}"', 'msg="{\\"password\\":\\"[REDACTED:password-assignment]\\"}"'],
    ["{'x-api-key': 'k'}", "{'x-api-key': '[REDACTED:password-assignment]'}"],
    ['spring.datasource.password=s3cret', 'spring.datasource.password=[REDACTED:password-assignment]'],
    ['  password: letmein', '  password: [REDACTED:password-assignment]'],
    ['login failed, password: hunter2', 'login failed, password: [REDACTED:password-assignment]'],
  ])('keeps the key of %s and redacts its value', (text, expected) => {
    expect(redacted(text).out).toBe(expected);
  });

  it('removes GitHub, Slack and issued API keys', () => {
    const pat = `github_pat_11AB${ALNUM}_${ALNUM}`;
    const slack = `xoxb-${'1234567890'}-${'0987654321'}-${ALNUM.slice(0, 24)}`;
    const sk = `sk-proj-${ALNUM}${ALNUM}`;
    const { out, counts } = redacted(
      `clone with ${GHP}; ${pat}\nslack ${slack} https://hooks.slack.com/services/T0000/B0000/${ALNUM.slice(0, 24)}\nOPENAI ${sk}`,
    );
    expect(out).toBe(
      'clone with [REDACTED:github-token]; [REDACTED:github-token]\n' +
        'slack [REDACTED:slack-token] https://hooks.slack.com/services/[REDACTED:slack-token]\nOPENAI [REDACTED:api-key]',
    );
    expect(counts).toEqual({ 'github-token': 2, 'slack-token': 2, 'api-key': 1 });
  });

  it('keeps emails unless asked to remove them', () => {
    const line = 'password reset mail sent to jane.doe+ops@example.co.uk';
    expect(redacted(line).out).toBe(line);
    const r = new Redactor({ emails: true });
    expect(r.redact(line)).toBe('password reset mail sent to [REDACTED:email]');
    expect(r.counts()).toEqual({ email: 1 });
  });

  it('changes nothing when run on its own output, and counts only the first time', () => {
    const r = new Redactor();
    const once = r.redact(
      `password="a b" url=postgres://u:p@h/db Authorization: Basic ${Buffer.from('a:b').toString('base64')} t=${JWT}`,
    );
    const counts = r.counts();
    expect(r.redact(once)).toBe(once);
    expect(r.counts()).toEqual(counts);
  });
});

describe('Redactor.redact: secrets stated in words', () => {
  it.each([
    ['our db password is Tr0ub4dor-and-3', 'our db password is [REDACTED:password-assignment]'],
    ['the api key was 9f8e7d6c5b4a', 'the api key was [REDACTED:password-assignment]'],
    ['token = abc123def', 'token = [REDACTED:password-assignment]'],
  ])('redacts %s', (line, want) => {
    expect(new Redactor().redact(line)).toBe(want);
  });
});

describe('Redactor.redact: ordinary log content', () => {
  const lines = [
    '2026-03-01T10:00:00.123Z INFO checkout-7d9f8b-x2x9z request_id=3f2b8c1e-4a5d-4e6f-9a7b-1c2d3e4f5a6b trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7 status=200 latency_ms=12',
    'Successfully pulled image "registry.example.com/shop/cart@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae" in 1.2s',
    'imageID: docker-pullable://registry:5000/shop/cart@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae',
    'containerID: containerd://4f2a9c1b7e3d',
    'Back-off restarting failed container cart in pod cart-5f7b9c-abcde_shop(0d6f1c2e-8b1a-4c55-9d0e-3a1b2c3d4e5f)',
    'token bucket refilled: 50 tokens available',
    'password expired for user bob',
    'the password is expired and the token was revoked',
    'password_reset_count=3 max_tokens=4096 prompt_tokens=812 token_id=t-91 secretName: db-creds',
    'MountVolume.SetUp failed for volume "db-creds" : secret "db-creds" not found',
    'failed to get secret: secrets "db-creds" is forbidden: User "system:serviceaccount:shop:cart" cannot get resource "secrets"',
    'invalid token: Token is expired',
    'connecting to postgres://db.shop.svc.cluster.local:5432/orders?sslmode=require',
    '10.0.12.7 - - [01/Mar/2026:10:00:00 +0000] "GET /api/cart?id=42 HTTP/1.1" 200 512 "-" "kube-probe/1.29"',
    'WWW-Authenticate: Bearer realm="api", error="invalid_token"; Bearer authentication required',
    'Authorization header missing; Basic authentication failed',
    'Scheduled sk-learn-worker-7d9f8b6c5d-x2x9z to ip-10-0-1-23.ec2.internal',
    'volumes: [{name: creds, secret: {secretName: db-creds}}]',
    'automountServiceAccountToken: false; password: ${DB_PASSWORD}; token=null; POSTGRES_PASSWORD_FILE=/run/secrets/pg',
    '-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----',
    'user=bob@example.com node=gke-prod-pool-1-3c2f1a9e-7x2k ip=2001:db8::1',
  ];

  it.each(lines)('keeps %s', (line) => {
    const { out, counts } = redacted(line);
    expect(out).toBe(line);
    expect(counts).toEqual({});
  });
});

describe('Redactor.redactValue', () => {
  it('redacts strings and the values of secret-named keys, keeping every key', () => {
    const r = new Redactor();
    const config = {
      db: { host: 'pg', DB_PASSWORD: 'x', port: 5432, pin: 1234, apiKey: 99, password: '' },
      headers: { Authorization: 'Bearer abc', 'x-request-id': 'r-1' },
      clientSecret: null,
      tokens: 10,
      lines: ['password=hunter2', 'ok'],
      enabled: true,
    };
    expect(r.redactValue(config)).toEqual({
      db: {
        host: 'pg',
        DB_PASSWORD: '[REDACTED:secret-field]',
        port: 5432,
        pin: 1234,
        apiKey: '[REDACTED:secret-field]',
        password: '',
      },
      headers: { Authorization: '[REDACTED:secret-field]', 'x-request-id': 'r-1' },
      clientSecret: null,
      tokens: 10,
      lines: ['password=[REDACTED:password-assignment]', 'ok'],
      enabled: true,
    });
    expect(config.db.DB_PASSWORD).toBe('x');
    expect(r.counts()).toEqual({ 'secret-field': 3, 'password-assignment': 1 });
  });

  it('redacts the value of a Kubernetes env var named like a secret, and not its reference to a Secret', () => {
    const container = {
      name: 'cart',
      env: [
        { name: 'LOG_LEVEL', value: 'debug' },
        { name: 'DB_PASSWORD', value: 'hunter2' },
        { name: 'STRIPE_API_KEY', valueFrom: { secretKeyRef: { name: 'stripe', key: 'api-key' } } },
      ],
    };
    expect(new Redactor().redactValue(container)).toEqual({
      name: 'cart',
      env: [
        { name: 'LOG_LEVEL', value: 'debug' },
        { name: 'DB_PASSWORD', value: '[REDACTED:secret-field]' },
        { name: 'STRIPE_API_KEY', valueFrom: { secretKeyRef: { name: 'stripe', key: 'api-key' } } },
      ],
    });
  });

  it("redacts all of a Secret's data, in list items without kind and in kubectl's last-applied copy", () => {
    const applied = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      data: { DB_URL: 'cG9zdGdyZXM6Ly8=' },
    });
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'db-creds',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': applied },
      },
      type: 'Opaque',
      data: { DB_URL: 'cG9zdGdyZXM6Ly8=', 'ca.crt': 'LS0tLS1CRUdJTg==' },
      stringData: { mode: 'ro' },
    };
    const out = new Redactor().redactValue({ items: [secret, { ...secret, kind: undefined }] });
    const expected = {
      ...secret,
      metadata: {
        name: 'db-creds',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration':
            '{"apiVersion":"v1","kind":"Secret","data":{"DB_URL":"[REDACTED:secret-field]"}}',
        },
      },
      data: { DB_URL: '[REDACTED:secret-field]', 'ca.crt': '[REDACTED:secret-field]' },
      stringData: { mode: '[REDACTED:secret-field]' },
    };
    expect(out).toEqual({ items: [expected, { ...expected, kind: undefined }] });
  });

  it('survives a cycle', () => {
    const node: { name: string; self?: unknown } = { name: 'n' };
    node.self = node;
    expect(new Redactor().redactValue(node)).toEqual({ name: 'n', self: '[Circular]' });
  });
});

describe('Redactor anonymise mode', () => {
  it('keeps masking after text that only looks like the start of a marker', () => {
    const r = new Redactor({ anonymise: true });
    r.addNames(['payments-api', 'prod-eu']);
    const out = r.redact('app said "[REDACTED: see docs" then payments-api failed in prod-eu]');
    expect(out).not.toContain('payments-api');
    expect(out).not.toContain('prod-eu');
    expect(r.restore(out)).toBe('app said "[REDACTED: see docs" then payments-api failed in prod-eu]');
  });

  it("redactSecrets leaves names alone (for Sleuth's own prompt text)", () => {
    const r = new Redactor({ anonymise: true });
    r.addNames(['data']);
    expect(r.redactSecrets('<data source="tool:x"> password=hunter22')).toBe(
      '<data source="tool:x"> password=[REDACTED:password-assignment]',
    );
  });

  it('replaces whole names with stable placeholders, longest first, and restores them', () => {
    const r = new Redactor({ anonymise: true });
    r.addNames(['cart', 'shop', 'cart-api', 'db', 'cart']);
    const text = r.redact(
      'deployment cart in shop/cart; cart-api and cartography; cart.shop.svc; cart-7d9f8b-x2x9z; db',
    );
    expect(text).toBe(
      'deployment ⟨res-1⟩ in ⟨res-2⟩/⟨res-1⟩; ⟨res-3⟩ and cartography; ⟨res-1⟩.⟨res-2⟩.svc; ⟨res-1⟩-7d9f8b-x2x9z; db',
    );
    expect(r.redact('cart')).toBe('⟨res-1⟩');
    expect(
      r.restore(`The pod ⟨res-1⟩-7d9f8b-x2x9z in namespace <res-2> OOMs; ⟨res-9⟩ is unknown. ${text}`),
    ).toBe(
      'The pod cart-7d9f8b-x2x9z in namespace shop OOMs; ⟨res-9⟩ is unknown. ' +
        'deployment cart in shop/cart; cart-api and cartography; cart.shop.svc; cart-7d9f8b-x2x9z; db',
    );
  });

  it('redacts secrets before names and never puts a placeholder inside a marker', () => {
    const r = new Redactor({ anonymise: true, emails: true });
    r.addNames(['email', 'orders']);
    expect(r.redact('orders: password=orders mail ops@example.com via email')).toBe(
      '⟨res-2⟩: password=[REDACTED:password-assignment] mail [REDACTED:email] via ⟨res-1⟩',
    );
    expect(r.redactValue({ orders: 'orders' })).toEqual({ orders: '⟨res-2⟩' });
  });

  it('does nothing without anonymise', () => {
    const r = new Redactor();
    r.addNames(['cart']);
    expect(r.redact('deployment cart')).toBe('deployment cart');
    expect(r.restore('⟨res-1⟩')).toBe('⟨res-1⟩');
  });
});

describe('Redactor on a large tool output', () => {
  it('redacts a megabyte of log lines', () => {
    const lines: string[] = [];
    let size = 0;
    let secrets = 0;
    for (let i = 0; size < 1_000_000; i++) {
      const secret = i % 10 === 0;
      if (secret) secrets++;
      const line =
        `2026-03-01T10:${String(i % 60).padStart(2, '0')}:00Z INFO checkout-7d9f8b-x2x9z GET /api/cart/${i} ` +
        `status=200 trace_id=4bf92f3577b34da6a3ce929d0e0e${String(i % 10_000).padStart(4, '0')} user="bob"` +
        (secret ? ` password=hunter${i}` : ' token bucket refilled');
      lines.push(line);
      size += line.length + 1;
    }
    const r = new Redactor({ anonymise: true });
    r.addNames(['checkout', 'shop', 'prod-eu-1']);
    const out = r.redact(lines.join('\n'));
    expect(r.counts()).toEqual({ 'password-assignment': secrets });
    expect(out).not.toContain('hunter');
    expect(r.restore(out)).toBe(
      lines.join('\n').replace(/password=hunter\d+/g, 'password=[REDACTED:password-assignment]'),
    );
  });
});
