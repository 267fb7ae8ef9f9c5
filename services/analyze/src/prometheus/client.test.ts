import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '@sleuth/core';
import { PrometheusClient } from './client';
import type { PrometheusSettings } from './source';
import { PrometheusError } from './errors';

/** What the stand-in answers next: a status, a content type and a body. */
let answer: { status: number; type: string; body: string };
let seen: { url: string; headers: IncomingHttpHeaders; form: URLSearchParams }[] = [];
let server: Server;
let base: string;

const json = (body: unknown, status = 200) => {
  answer = { status, type: 'application/json', body: JSON.stringify(body) };
};
const matrix = (result: unknown[]) => json({ status: 'success', data: { resultType: 'matrix', result } });

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, form: new URLSearchParams(raw) });
      res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen = [];
});

const client = (over: Partial<PrometheusSettings> = {}) =>
  new PrometheusClient({ url: `${base}/prom/`, timeoutMs: 2000, maxSeries: 100, maxPoints: 1000, ...over });

describe('PrometheusClient against a stand-in HTTP API', () => {
  it('POSTs the query with the bearer token and its timeout, and reads NaN and Inf samples', async () => {
    json({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { __name__: 'up', job: 'a' }, value: [1700000000.5, '+Inf'] },
          { metric: { __name__: 'up', job: 'b' }, value: [1700000000.5, 'NaN'] },
        ],
      },
      warnings: ['partial response'],
    });
    const r = await client({ bearerToken: 'tok-123' }).query('up', { timeMs: 1700000000500 });
    expect(seen[0]?.url).toBe('/prom/api/v1/query');
    expect(seen[0]?.headers['authorization']).toBe('Bearer tok-123');
    expect(Object.fromEntries(seen[0]?.form ?? [])).toEqual({
      query: 'up',
      time: '1700000000.5',
      timeout: '2000ms',
    });
    expect(r.series.map((s) => s.points[0])).toEqual([
      [1700000000500, Infinity],
      [1700000000500, NaN],
    ]);
    expect(r).toMatchObject({ resultType: 'vector', truncated: false, warnings: ['partial response'] });
  });

  it('raises a range query step that would give a series more points than the limit, and says so', async () => {
    matrix([{ metric: { __name__: 'up' }, values: [[1700000000, '1']] }]);
    const r = await client({ maxPoints: 100 }).queryRange('up', {
      startMs: 1_700_000_000_000,
      endMs: 1_700_003_600_000,
      stepMs: 1000,
    });
    expect(seen[0]?.form.get('step')).toBe('37');
    expect(r.stepMs).toBe(37_000);
    expect(r.notes[0]).toContain('step raised from 1 s to 37 s');
    await expect(client().queryRange('up', { startMs: 2, endMs: 1, stepMs: 1 })).rejects.toThrow(
      ValidationError,
    );
  });

  it('keeps at most maxSeries series and maxPoints points, newest points first kept', async () => {
    const values = Array.from({ length: 100 }, (_, i) => [1700000000 + i, String(i)]);
    matrix(Array.from({ length: 5 }, (_, i) => ({ metric: { i: String(i) }, values })));
    const r = await client({ maxSeries: 3, maxPoints: 100 }).query('x[100s]');
    expect(r.series).toHaveLength(3);
    expect(r.truncated).toBe(true);
    expect(r.notes[0]).toBe('3 of 5 series kept (prometheus.maxSeries)');
    expect(r.notes[1]).toContain('at most 33 per series, evenly spaced (75 of 300 kept');
    expect(r.series[0]?.points.at(-1)).toEqual([1700000099000, 99]);
  });

  it("names Prometheus's own error, with its type", async () => {
    json({ status: 'error', errorType: 'bad_data', error: '1:5: parse error: unexpected end of input' }, 400);
    const err = await client()
      .query('sum(')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrometheusError);
    expect(err).toMatchObject({
      errorType: 'bad_data',
      httpStatus: 400,
      retryable: false,
      message: 'Prometheus rejected the query (bad_data): 1:5: parse error: unexpected end of input',
    });
  });

  it('tells a wrong URL, refused credentials, an odd payload and an oversized body apart', async () => {
    answer = { status: 404, type: 'text/html', body: '<html>Not Found</html>' };
    const secret = new PrometheusClient({
      url: `http://user:pw@${base.slice(7)}/`,
      timeoutMs: 2000,
      maxSeries: 10,
      maxPoints: 100,
    });
    const notApi = await secret.query('up').catch((e: unknown) => e);
    expect(notApi).toMatchObject({ errorType: 'bad_response', httpStatus: 404 });
    expect(String(notApi)).toContain('check prometheus.url');
    expect(String(notApi)).not.toContain('pw@');
    expect(seen[0]?.headers['authorization']).toBe(`Basic ${Buffer.from('user:pw').toString('base64')}`);

    answer = { status: 401, type: 'text/plain', body: 'Unauthorized' };
    await expect(client().query('up')).rejects.toMatchObject({
      errorType: 'unauthorized',
      message: expect.stringContaining('check prometheus.bearerToken') as unknown,
    });

    json({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { a: 1 } }] } });
    await expect(client().query('up')).rejects.toMatchObject({
      errorType: 'bad_response',
      message: expect.stringContaining('unexpected shape') as unknown,
    });

    matrix([{ metric: { a: 'x'.repeat(5000) }, values: [] }]);
    await expect(client({ maxResponseBytes: 1000 }).query('up')).rejects.toMatchObject({
      errorType: 'bad_response',
      message: expect.stringContaining('over 1000 bytes') as unknown,
    });
  });

  it('looks series up by matchers, cut to maxSeries', async () => {
    json({
      status: 'success',
      data: [
        { __name__: 'up', job: 'a' },
        { __name__: 'up', job: 'b' },
      ],
    });
    const r = await client({ maxSeries: 1 }).series(['up', 'down'], { startMs: 1000, endMs: 2000 });
    expect(seen[0]?.form.getAll('match[]')).toEqual(['up', 'down']);
    expect(r).toEqual({
      series: [{ __name__: 'up', job: 'a' }],
      truncated: true,
      notes: ['1 of 2 series kept (prometheus.maxSeries)'],
      warnings: [],
    });
  });
});
