/**
 * Fuzzing the cluster-dump import (collectors/kubernetes/src/import: dump-reader.ts,
 * json-documents.ts, log-sections.ts, log-times.ts, import-dump.ts): streams of JSON documents
 * (whole, pretty-printed, cut short, nested past every limit, with fields of the wrong type), log
 * sections (well-formed, unterminated, interleaved, with and without timestamps) and stray text.
 * The import must never fail on what a dump holds, and the server must accept every request it sends.
 */
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { JsonObject } from '@sleuth/pipeline';
import type { OtlpSender } from '../../collectors/kubernetes/src/collector';
import { readDumpLines } from '../../collectors/kubernetes/src/import/dump-reader';
import { importItems } from '../../collectors/kubernetes/src/import/import-dump';
import { JsonDocument } from '../../collectors/kubernetes/src/import/json-documents';
import { sectionLine, sectionStart } from '../../collectors/kubernetes/src/import/log-sections';
import { decodeLogs } from '../../services/pipeline/src/otlp/otlp-decode';
import { container, dump, ns, podName, time } from './support/dump-text';
import { deepJson, shortWildString } from './support/arbitraries';
import { ensure, fuzz, fuzzAsync, FUZZ_TEST_TIMEOUT_MS } from './support/fuzz';

const NOW = Date.now();
const FILE_MS = NOW - 3_600_000;

/** Lines as readline reads them: split at \n, \r\n and \r, no empty line after a final end. */
function linesOf(textIn: string): string[] {
  if (textIn === '') return [];
  const lines = textIn.split(/\r\n|\r|\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

class Recorder implements OtlpSender {
  readonly requests: JsonObject[] = [];
  send(_signal: 'logs' | 'metrics', request: JsonObject): Promise<void> {
    this.requests.push(request);
    return Promise.resolve();
  }
}

describe('the cluster-dump import', () => {
  it(
    'finds where each JSON document of a stream ends, and reads any line without failing',
    () => {
      const member = fc.oneof(fc.jsonValue({ maxDepth: 2 }), shortWildString, deepJson);
      const doc = fc.oneof(
        fc.array(member, { maxLength: 3 }),
        fc.dictionary(shortWildString, member, { maxKeys: 3 }),
      );
      fuzz(fc.tuple(doc, shortWildString, shortWildString), ([value, rest, line]) => {
        const text = JSON.stringify(value);
        const d = new JsonDocument(1);
        assert.equal(d.feed(text + rest), text.length);
        assert.deepStrictEqual(d.parse(), { ok: true, value: JSON.parse(text) as unknown });
        const end = new JsonDocument(1).feed(line);
        ensure(end === -1 || (end > 0 && end <= line.length), () => `a document ending at ${end}`);
        const header = sectionStart(line) ?? { container: 'app', namespace: 'shop', pod: 'web' };
        sectionLine(line, header);
      });
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'imports any dump without failing, and the server accepts everything it sends',
    async () => {
      await fuzzAsync(fc.tuple(dump, fc.integer({ min: 1, max: 8 })), async ([textIn, batchSize]) => {
        const lines = linesOf(textIn);
        const sender = new Recorder();
        const summary = await importItems(
          readDumpLines('dump.json', FILE_MS, () => lines),
          { cluster: 'fuzz', sender, batchSize },
        );
        ensure(summary.files === 1, () => `${summary.files} files`);
        ensure(summary.skipped.length <= summary.skippedTotal, () => 'more skipped kept than counted');
        let records = 0;
        for (const request of sender.requests) {
          // What the server reads first; it throws (failing the whole request) only here.
          const decoded = decodeLogs('json', Buffer.from(JSON.stringify(request)));
          for (const r of decoded) for (const scope of r?.scopes ?? []) records += scope?.length ?? 0;
        }
        ensure(records <= textIn.length, () => `${records} records from ${textIn.length} characters`);
        ensure(summary.logLines <= lines.length, () => `${summary.logLines} log lines of ${lines.length}`);
      });
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'sends every line of a section in order, with the time it carried',
    async () => {
      const arb = fc.record({
        container,
        ns,
        pod: podName,
        lines: fc.array(
          fc.tuple(
            fc.option(time, { nil: undefined }),
            fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }),
          ),
          { minLength: 1, maxLength: 5 },
        ),
      });
      await fuzzAsync(arb, async (s) => {
        const id = `${s.container} of pod ${s.ns}/${s.pod}`;
        const body = s.lines.map(([t, msg]) => (t === undefined ? `x${msg}` : `${t} ${msg}`));
        const lines = [
          `==== START logs for container ${id} ====`,
          ...body,
          `==== END logs for container ${id} ====`,
        ];
        const sender = new Recorder();
        const summary = await importItems(
          readDumpLines('dump.txt', FILE_MS, () => lines),
          { cluster: 'fuzz', sender },
        );
        assert.equal(summary.logLines, body.filter((l) => l.trim() !== '').length);
        const sent = sender.requests.flatMap((r) =>
          (
            r['resourceLogs'] as {
              scopeLogs: { logRecords: { timeUnixNano: string; body: { stringValue: string } }[] }[];
            }[]
          ).flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords)),
        );
        const want = s.lines
          .map(([t, msg]) => ({ t, text: t === undefined ? `x${msg}` : msg }))
          .filter((l) => l.text.trim() !== '' || l.t !== undefined);
        assert.deepStrictEqual(
          sent.map((r) => r.body.stringValue),
          want.map((l) => l.text),
        );
        sent.forEach((r, i) => {
          const t = want[i]?.t;
          if (t !== undefined) assert.equal(r.timeUnixNano, `${BigInt(Date.parse(t)) * 1_000_000n}`);
        });
      });
    },
    FUZZ_TEST_TIMEOUT_MS,
  );
});
