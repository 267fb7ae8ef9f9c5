import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@sleuth/core';
import { Shipper } from './shipper';
import { Spool } from './spool';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'sleuth-spool-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const request = (n: number) => ({ resourceLogs: [{ n, pad: 'x'.repeat(200) }] });

describe('Spool', () => {
  it('keeps requests across a restart, in order, with the same agent id; drops half-written files', async () => {
    const dir = tempDir();
    const first = await Spool.open(dir, 1 << 20);
    for (let i = 1; i <= 3; i++) await first.send('logs', request(i));
    await first.send('metrics', request(4));
    writeFileSync(join(dir, '0000000000000099.logs.json.gz.tmp'), 'half a write');

    const again = await Spool.open(dir, 1 << 20);
    expect(again.agentId).toBe(first.agentId);
    expect(again.stats().requests).toBe(4);
    expect(existsSync(join(dir, '0000000000000099.logs.json.gz.tmp'))).toBe(false);
    const signal = new AbortController().signal;
    const seen: [number, string, number][] = [];
    for (let i = 0; i < 4; i++) {
      const r = (await again.peek(signal))!;
      const body = JSON.parse(gunzipSync(await again.read(r)).toString()) as ReturnType<typeof request>;
      seen.push([r.seq, r.signal, body.resourceLogs[0]!.n]);
      await again.ack(r);
    }
    expect(seen).toEqual([
      [1, 'logs', 1],
      [2, 'logs', 2],
      [3, 'logs', 3],
      [4, 'metrics', 4],
    ]);
    await again.send('logs', request(5));
    expect((await again.peek(signal))?.seq).toBe(5);
  });

  it('makes the sender wait when full, and go on when shipped requests free space', async () => {
    // Random bytes do not compress: each request takes ~300 of the 400 bytes.
    const noise = () => ({ resourceLogs: [{ pad: randomBytes(300).toString('base64') }] });
    const spool = await Spool.open(tempDir(), 400);
    await spool.send('logs', noise());
    let done = false;
    const second = spool
      .send('logs', { resourceLogs: [{ pad: Math.random().toString(36).repeat(40) }] })
      .then(() => {
        done = true;
      });
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    await spool.ack((await spool.peek(new AbortController().signal))!);
    await second;
    expect(spool.stats().requests).toBe(1);
  });
});

describe('Shipper', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('sets aside a request the server refuses for good, and delivers the next', async () => {
    const got: string[] = [];
    server = createServer((req, res) => {
      got.push(String(req.headers['x-sleuth-batch-id']));
      const refuse = got.length === 1;
      res.writeHead(refuse ? 400 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(refuse ? { error: { code: 'decode_failed', message: 'bad' } } : {}));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const dir = tempDir();
    const spool = await Spool.open(dir, 1 << 20);
    await spool.send('logs', request(1));
    await spool.send('logs', request(2));
    const abort = new AbortController();
    const shipper = new Shipper(
      spool,
      {
        server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        token: 't'.repeat(20),
        timeoutMs: 5000,
        backoffBaseMs: 10,
        backoffMaxMs: 50,
      },
      createLogger('silent'),
    );
    const run = shipper.run(abort.signal);
    for (let i = 0; i < 200 && spool.stats().requests > 0; i++) await new Promise((r) => setTimeout(r, 10));
    abort.abort();
    await run;
    expect(got).toEqual([`${spool.agentId}:1`, `${spool.agentId}:2`]);
    expect(spool.stats()).toMatchObject({ requests: 0, rejected: 1 });
    expect(readdirSync(join(dir, 'rejected'))).toEqual(['0000000000000001.logs.json.gz']);
    expect(shipper.status()).toMatchObject({ state: 'ok', delivered: 1 });
  });
});
