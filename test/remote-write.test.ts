/**
 * Prometheus remote write 1.0 into Sleuth, proven against a real Prometheus (Debian's 2.42): it
 * scrapes a tiny target every second and remote-writes to Sleuth with a bearer token; the series
 * Sleuth's query API returns hold exactly the samples Prometheus holds for the same range, and the
 * detectors saw them. Hand-built requests show the answers a misconfigured sender gets.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWriteRequest, STALE } from '@sleuth/pipeline';
import { startPrometheus, type RealServer } from './support/prom-servers';
import { eventually, getJson, startTestServer, type TestServer } from './support/server';

const TOKEN = 'rw-token-0123456789';
const CLUSTER = 'prom-lab';
const GAUGE = 'shop_queue_depth';
const COUNTER = 'shop_orders_total';
const WRITE_HEADERS = {
  'content-type': 'application/x-protobuf',
  'content-encoding': 'snappy',
  'x-prometheus-remote-write-version': '0.1.0',
};

interface SeriesAnswer {
  series: {
    series: { name: string; labels: Record<string, string>; type: string; source: Record<string, string> };
    points: [number, number][];
  }[];
}
interface PromMatrix {
  status: string;
  data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
}

let server: TestServer;
let prometheus: RealServer | undefined;
let target: Server | undefined;
let scrapes = 0;

/** The target's exposition: a gauge with fractional values and a counter, both on one pod. */
function exposition(): string {
  scrapes++;
  const labels = '{namespace="shop",pod="cart-7d9f"}';
  return [
    `# TYPE ${GAUGE} gauge`,
    `${GAUGE}${labels} ${String(scrapes * 0.37 + 1 / 3)}`,
    `# TYPE ${COUNTER} counter`,
    `${COUNTER}${labels} ${String(scrapes * 1.5)}`,
    '',
  ].join('\n');
}

beforeAll(async () => {
  server = await startTestServer({
    'prometheus.remoteWrite.bearerToken': TOKEN,
    'prometheus.remoteWrite.cluster': CLUSTER,
    'prometheus.remoteWrite.maxSamplesPerRequest': 1000,
  });
  target = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(exposition());
  });
  const port = await new Promise<number>((resolve) =>
    target?.listen(0, '127.0.0.1', () => {
      const a = target?.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    }),
  );
  prometheus = await startPrometheus({
    targets: [`127.0.0.1:${port}`],
    intervalSeconds: 1,
    remoteWrite: { url: `${server.url}/api/v1/write`, bearerToken: TOKEN },
  });
});

afterAll(async () => {
  await prometheus?.stop();
  target?.close();
  await server?.dispose();
});

async function write(body: Buffer | string, headers: Record<string, string>) {
  const res = await fetch(`${server.url}/api/v1/write`, { method: 'POST', body, headers });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers };
}

const authorized = { ...WRITE_HEADERS, authorization: `Bearer ${TOKEN}` };
const NOW = Date.now();
const sample = encodeWriteRequest([{ labels: { __name__: 'hand_built', pod: 'a' }, samples: [[NOW, 1]] }]);

describe('remote write answers to hand-built requests', () => {
  it('401 without the token or with a wrong one, before the body is read', async () => {
    const none = await write(sample, WRITE_HEADERS);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text)).toMatchObject({ error: { code: 'unauthorized' } });
    const wrong = await write(sample, { ...WRITE_HEADERS, authorization: 'Bearer not-the-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toMatch(/prometheus\.remoteWrite\.bearerToken/);
  });

  it('415 naming the header for a body that is not snappy-compressed protobuf', async () => {
    const { 'content-encoding': _dropped, ...plain } = authorized;
    const unzipped = await write(sample, plain);
    expect(unzipped.status).toBe(415);
    expect(unzipped.text).toMatch(/Content-Encoding: snappy/);
    const json = await write('{}', { ...authorized, 'content-type': 'application/json' });
    expect(json.status).toBe(415);
    expect(json.text).toMatch(/application\/x-protobuf/);
    const v2 = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';
    const second = await write(sample, { ...authorized, 'content-type': v2 });
    expect(second.status).toBe(415);
    expect(second.text).toMatch(/remote write 1\.0/);
  });

  it('400 for a garbage body, 413 past the sample limit', async () => {
    const garbage = await write(Buffer.from('definitely not snappy'), authorized);
    expect(garbage.status).toBe(400);
    expect(JSON.parse(garbage.text)).toMatchObject({ error: { code: 'decode_failed' } });
    const samples: [number, number][] = Array.from({ length: 1001 }, (_, i) => [NOW - i, i]);
    const big = await write(encodeWriteRequest([{ labels: { __name__: 'big' }, samples }]), authorized);
    expect(big.status).toBe(413);
    expect(big.text).toMatch(/max_samples_per_send/);
  });

  it('204 keeping the good series when another is invalid; stale markers are not stored', async () => {
    const body = encodeWriteRequest([
      { labels: { job: 'no-name' }, samples: [[NOW, 1]] },
      {
        labels: { __name__: 'hand_built', pod: 'a', cluster: 'hand' },
        samples: [
          [NOW - 1000, 2.5],
          [NOW, STALE],
        ],
      },
    ]);
    const r = await write(body, authorized);
    expect(r.status).toBe(204);
    const q = await getJson<SeriesAnswer>(
      server.url,
      `/api/v1/series/query?name=hand_built&cluster=hand&from=${NOW - 5000}&to=${NOW + 1}`,
    );
    expect(q.series.map((s) => s.points)).toEqual([[[NOW - 1000, 2.5]]]);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/sleuth_ingest_records_total\{signal="remote_write",outcome="rejected"\} 1/);
    expect(metrics).toMatch(/sleuth_remote_write_skipped_total\{reason="stale_marker"\} 1/);
  });
});

/** Prometheus's raw samples of `metric` in the `rangeMs` up to `timeMs` (both ends in), as [ms, value]. */
async function promSamples(metric: string, timeMs: number, rangeMs: number): Promise<[number, number][]> {
  const query = encodeURIComponent(`${metric}[${rangeMs}ms]`);
  const res = await getJson<PromMatrix>(
    prometheus?.url ?? '',
    `/api/v1/query?query=${query}&time=${timeMs / 1000}`,
  );
  expect(res.data.result).toHaveLength(1);
  return (res.data.result[0]?.values ?? []).map(([t, v]) => [Math.round(t * 1000), Number(v)]);
}

async function sleuthSeries(metric: string, fromMs: number, toMs: number) {
  const q = await getJson<SeriesAnswer>(
    server.url,
    `/api/v1/series/query?name=${metric}&cluster=${CLUSTER}&from=${fromMs}&to=${toMs}`,
  );
  expect(q.series).toHaveLength(1);
  return q.series[0] as SeriesAnswer['series'][number];
}

describe('a real Prometheus remote-writing to Sleuth', () => {
  it('lands series whose points equal what Prometheus holds for the same range', async () => {
    const started = Date.now() - 60_000;
    // Wait until both series hold at least 6 points (remote write starts 6-7 s after Prometheus).
    const lastMs = await eventually(async () => {
      const ends: number[] = [];
      for (const metric of [GAUGE, COUNTER]) {
        const s = await sleuthSeries(metric, started, Date.now() + 1000);
        if (s.points.length < 6) return undefined;
        ends.push(s.points[s.points.length - 1]?.[0] ?? 0);
      }
      return Math.min(...ends);
    }, 40_000);

    for (const metric of [GAUGE, COUNTER]) {
      // Everything either side holds from before Prometheus started up to `lastMs`: the same
      // timestamps, and values equal to the last bit (the gauge's are fractions like 1/3 + 0.37n).
      const stored = await sleuthSeries(metric, started, lastMs + 1);
      const held = await promSamples(metric, lastMs, lastMs - started);
      expect(held.length).toBeGreaterThanOrEqual(6);
      expect(stored.points).toEqual(held);
      expect(stored.series.labels).toMatchObject({ namespace: 'shop', pod: 'cart-7d9f', job: 'test' });
      expect(stored.series.source).toMatchObject({ cluster: CLUSTER, namespace: 'shop', pod: 'cart-7d9f' });
      expect(stored.series.type).toBe(metric === COUNTER ? 'counter' : 'gauge');
    }

    // The detectors were handed the points once they were stored.
    await eventually(async () => {
      const status = await getJson<{ detection: { signalClockMs: number | null } }>(
        server.url,
        '/api/v1/status',
      );
      return (status.detection.signalClockMs ?? 0) >= lastMs ? true : undefined;
    }, 10_000);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(
      /sleuth_ingest_requests_total\{signal="remote_write",encoding="protobuf",code="204"\}/,
    );
  }, 55_000);
});
