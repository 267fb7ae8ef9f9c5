import { afterEach, describe, expect, it } from 'vitest';
import { KubeApiServer, type KubeObject } from './server';

const cm = (data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: 'shop' },
  data,
});

let kube: KubeApiServer;
afterEach(() => kube.stop());

async function get(path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(kube.url + path);
  return { status: res.status, body: await res.text() };
}

describe('KubeApiServer', () => {
  it('treats an update that changes nothing as a no-op, like a real API server', async () => {
    kube = await KubeApiServer.start();
    const first = kube.apply(cm({ a: '1' }));
    expect(kube.apply(cm({ a: '1' })).metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const changed = kube.apply(cm({ a: '2' }));
    expect(Number(changed.metadata.resourceVersion)).toBeGreaterThan(Number(first.metadata.resourceVersion));
    const watch = await get(
      `/api/v1/configmaps?watch=true&resourceVersion=${first.metadata.resourceVersion}&timeoutSeconds=1`,
    );
    expect(
      watch.body
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { type: string }).type),
    ).toEqual(['MODIFIED']);
  });

  it('compacts its watch history beyond the limit: resuming from before answers 410 Gone', async () => {
    kube = await KubeApiServer.start({ historyLimit: 10 });
    const first = kube.apply(cm({ n: '0' }));
    for (let i = 1; i <= 20; i++) kube.apply(cm({ n: String(i) }));
    const old = await get(`/api/v1/configmaps?watch=true&resourceVersion=${first.metadata.resourceVersion}`);
    expect(JSON.parse(old.body.trim())).toMatchObject({
      type: 'ERROR',
      object: { code: 410, reason: 'Expired' },
    });
  });

  it('serves pods/log with tailLines, sinceTime, timestamps and previous', async () => {
    kube = await KubeApiServer.start();
    kube.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { containers: [{ name: 'a' }, { name: 'b' }] },
    });
    const t = Date.parse('2026-11-23T10:00:00Z');
    kube.appendLog('shop', 'web', 'a', ['one', 'two'], t);
    kube.appendLog('shop', 'web', 'a', 'three', t + 5000);
    expect((await get('/api/v1/namespaces/shop/pods/web/log')).status).toBe(400);
    expect((await get('/api/v1/namespaces/shop/pods/web/log?container=a&tailLines=2')).body).toBe(
      'two\nthree\n',
    );
    const since = await get(
      '/api/v1/namespaces/shop/pods/web/log?container=a&timestamps=true&sinceTime=2026-11-23T10:00:03Z',
    );
    expect(since.body).toMatch(/^2026-11-23T10:00:05\.000\d{6}Z three\n$/);
    expect((await get('/api/v1/namespaces/shop/pods/web/log?container=a&previous=true')).status).toBe(400);
    kube.restartContainer('shop', 'web', 'a');
    expect((await get('/api/v1/namespaces/shop/pods/web/log?container=a&previous=true')).body).toBe(
      'one\ntwo\nthree\n',
    );
    expect((await get('/api/v1/namespaces/shop/pods/web/log?container=a')).body).toBe('');
    expect((await get('/api/v1/namespaces/shop/pods/nope/log')).status).toBe(404);
  });

  it('pages a list across namespaces whose names prefix each other without skipping any object', async () => {
    kube = await KubeApiServer.start();
    const names: string[] = [];
    for (const ns of ['team-1', 'team-10', 'team-2', 'a', 'a-b']) {
      for (const n of ['x', 'x-1', 'y']) {
        kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n, namespace: ns } });
        names.push(`${ns}/${n}`);
      }
    }
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = JSON.parse(
        (await get(`/api/v1/configmaps?limit=2${token ? `&continue=${token}` : ''}`)).body,
      ) as { items: { metadata: { name: string; namespace: string } }[]; metadata: { continue?: string } };
      seen.push(...page.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`));
      token = page.metadata.continue;
    } while (token);
    expect(seen.sort()).toEqual(names.sort());
  });
});
