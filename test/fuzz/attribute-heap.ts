/**
 * What one OTLP request of attribute-heavy records costs in heap, with and without the attribute
 * limits (docs/fuzzing.md, Known limits). Not a test: a measurement, run by hand with the GC exposed:
 *
 *   node --expose-gc --import tsx test/fuzz/attribute-heap.ts
 *
 * Each case builds a body of about 4 MB, then measures, after a full GC, the heap held by what the
 * decoder builds (protobufjs's message or JSON.parse's tree, then the model; both are alive at once
 * inside the decoder) and the time ingestOtlp takes for the same body.
 */
import { ingestOtlp, type AttributeLimits, type OtlpEncoding } from '@sleuth/pipeline';
import { LimitCounts, NO_ATTRIBUTE_LIMITS } from '../../services/pipeline/src/otlp/attribute-limits';
import { readJsonLogs } from '../../services/pipeline/src/otlp/json-reader';
import { otlpType } from '../../services/pipeline/src/otlp/otlp-proto';
import { readPbLogs, type PbLogsRequest } from '../../services/pipeline/src/otlp/proto-reader';
import { RecordLimit } from '../../services/pipeline/src/otlp/record-limit';
import { pbField } from '../../services/pipeline/src/otlp/otlp-json-builders';
import { limitPbRequest } from '../../services/pipeline/src/otlp/wire-limits';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const collect = gc;

const DEFAULTS: AttributeLimits = {
  maxAttributes: 128,
  maxValueBytes: 16 * 1024,
  maxDepth: 8,
  maxEvents: 128,
};
const MiB = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`;

function heap(): number {
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}

const key = (i: number): string => i.toString(36).padStart(4, '0');

/** A LogRecord (time, body "hi") with `n` attributes of a 4-character key and no value: 8 bytes each. */
function pbRecord(n: number): Buffer {
  const kvs = Buffer.alloc(n * 8);
  for (let i = 0; i < n; i++) {
    kvs.set([0x32, 0x06, 0x0a, 0x04], i * 8);
    kvs.write(key(i), i * 8 + 4, 'latin1');
  }
  const time = Buffer.alloc(9);
  time[0] = 0x09;
  time.writeBigUInt64LE(BigInt(Date.now()) * 1_000_000n, 1);
  return Buffer.concat([time, pbField(5, Buffer.from([0x0a, 0x02, 0x68, 0x69])), kvs]);
}

function pbLogs(records: Buffer[]): Buffer {
  return pbField(1, pbField(2, Buffer.concat(records.map((r) => pbField(2, r)))));
}

/** OTLP/JSON logs whose records carry `perRecord` attributes each, filling about `bytes`. */
function jsonLogs(bytes: number, perRecord: number): Buffer {
  const attrs = Array.from({ length: perRecord }, (_, i) => `{"key":"${key(i)}"}`).join(',');
  const record = `{"timeUnixNano":"${Date.now()}000000","body":{"stringValue":"hi"},"attributes":[${attrs}]}`;
  const n = Math.max(1, Math.floor(bytes / (record.length + 1)));
  return Buffer.from(
    `{"resourceLogs":[{"scopeLogs":[{"logRecords":[${Array(n).fill(record).join(',')}]}]}]}`,
  );
}

function measure(name: string, encoding: OtlpEncoding, body: Buffer, limits: AttributeLimits): void {
  const limited = limits === NO_ATTRIBUTE_LIMITS ? undefined : { limits, counts: new LimitCounts() };
  const text = encoding === 'json' ? body.toString('utf8') : '';
  const h0 = heap();
  let built: number;
  let model: number;
  let attributes = 0;
  if (encoding === 'protobuf') {
    const within = limitPbRequest('logs', body, new RecordLimit('logs', Infinity), limited);
    const message = otlpType('ExportLogsServiceRequest').decode(within) as unknown as PbLogsRequest;
    const h1 = heap();
    const records = readPbLogs(message);
    const h2 = heap();
    built = h1 - h0;
    model = h2 - h1;
    for (const r of records[0]?.scopes[0] ?? []) attributes += Object.keys(r?.attributes ?? {}).length;
  } else {
    const parsed = JSON.parse(text) as { resourceLogs: unknown[] };
    const h1 = heap();
    const records = readJsonLogs(parsed.resourceLogs, new RecordLimit('logs', Infinity), limited);
    const h2 = heap();
    built = h1 - h0;
    model = h2 - h1;
    for (const r of records[0]?.scopes[0] ?? []) attributes += Object.keys(r?.attributes ?? {}).length;
  }
  const ctx = { defaultCluster: 'lab', redact: false, receivedMs: Date.now() };
  const t0 = performance.now();
  const result = ingestOtlp('logs', encoding, body, limited ? { ...ctx, limits } : ctx);
  const ms = performance.now() - t0;
  console.log(
    `${name} | ${encoding} | ${limited ? 'defaults' : 'none'} | ${MiB(body.length)} | ` +
      `${MiB(built)} | ${MiB(model)} | ${MiB(built + model)} | ${attributes} | ` +
      `${result.limited.droppedAttributes} | ${ms.toFixed(0)} ms`,
  );
}

console.log(
  'case | encoding | limits | body | parse/protobufjs | model | both | attributes kept | dropped | ingestOtlp',
);
const oneRecord = pbLogs([pbRecord(500_000)]);
const manyRecords = pbLogs(Array.from({ length: 3_900 }, () => pbRecord(128)));
const oneJson = jsonLogs(4_000_000, 266_000);
const manyJson = jsonLogs(4_000_000, 128);
for (const limits of [NO_ATTRIBUTE_LIMITS, DEFAULTS]) {
  measure('1 record, 500,000 attributes', 'protobuf', oneRecord, limits);
  measure('1 record, 266,000 attributes', 'json', oneJson, limits);
  measure('3,900 records, 128 attributes each', 'protobuf', manyRecords, limits);
  measure('records of 128 attributes each', 'json', manyJson, limits);
}
