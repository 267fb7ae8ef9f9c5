import { describe, expect, it } from 'vitest';
import { Finding } from './finding';
import { ingressAnalyzer } from './ingress';
import { MemoryContext } from './memory-context';
import { NOW, ref, snap } from './testing/kube';

const ING = ref('Ingress', 'storefront');
const ingress = (service: string, port = 80, tlsSecret = 'storefront-tls', className = 'nginx') =>
  snap(ING, {
    spec: {
      ingressClassName: className,
      tls: [{ hosts: ['shop.example.com'], secretName: tlsSecret }],
      rules: [
        {
          host: 'shop.example.com',
          http: { paths: [{ path: '/', backend: { service: { name: service, port: { number: port } } } }] },
        },
      ],
    },
  });
const svc = snap(ref('Service', 'web'), { spec: { ports: [{ port: 80, name: 'http' }] } });
const tls = snap(ref('Secret', 'storefront-tls'), {
  data: { 'tls.crt': 'LS0tQ0VSVA==', 'tls.key': 'LS0tS0VZ' },
});
const nginx = snap(ref('IngressClass', 'nginx', null), {});

async function run(ctx: MemoryContext) {
  const findings = await ingressAnalyzer.analyze(ING, ctx);
  for (const f of findings) Finding.parse(f);
  return findings;
}

describe('ingress analyzer', () => {
  it('finds nothing wrong when backend, class and TLS Secret exist', async () => {
    expect(await run(new MemoryContext({ nowMs: NOW, objects: [ingress('web'), svc, tls, nginx] }))).toEqual(
      [],
    );
  });

  it('names a backend Service that does not exist', async () => {
    const [f] = await run(new MemoryContext({ nowMs: NOW, objects: [ingress('web-v2'), svc, tls, nginx] }));
    expect(f?.failureMode).toBe('missing-backend-service');
    expect(f?.title).toBe(
      'Ingress storefront routes shop.example.com/ to Service web-v2, which does not exist',
    );
  });

  it('names a backend port the Service does not have', async () => {
    const [f] = await run(
      new MemoryContext({ nowMs: NOW, objects: [ingress('web', 8080), svc, tls, nginx] }),
    );
    expect(f?.failureMode).toBe('missing-backend-port');
    expect(f?.explanation).toContain('exposes 80/http');
  });

  it('reports a missing TLS Secret and an IngressClass that is not installed, never Secret values', async () => {
    const findings = await run(
      new MemoryContext({
        nowMs: NOW,
        objects: [ingress('web', 80, 'shop-tls', 'traefik'), svc, tls, nginx],
      }),
    );
    expect(findings.map((f) => f.failureMode).sort()).toEqual([
      'missing-ingress-class',
      'missing-tls-secret',
    ]);
    expect(JSON.stringify(findings)).not.toContain('LS0t');
  });
});
