/**
 * Fuzzing what reads log lines: the tokenizer, message extraction and template miner of
 * services/detect/src/logs (and the miner's saved state), severity texts and body truncation in
 * the ingest stages, and the kubelet timestamp reader the collector and the dump import use.
 */
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { SEVERITIES } from '@sleuth/core';
import { rfc3339Nanos } from '../../collectors/kubernetes/src/pod-logs';
import { lineTime } from '../../collectors/kubernetes/src/import/log-times';
import { messageOf } from '../../services/detect/src/logs/message';
import { TemplateMiner } from '../../services/detect/src/logs/template-miner';
import { tokenize } from '../../services/detect/src/logs/tokenizer';
import { bodyText, MAX_BODY_BYTES } from '../../services/pipeline/src/stages/body-text';
import { logSeverity } from '../../services/pipeline/src/stages/severity';
import {
  anyUtf16,
  blankedJson,
  mutatedJson,
  text,
  wildJson,
  wildNumber,
  wildString,
} from './support/arbitraries';
import { decodeOrReject, ensure, fuzz, FUZZ_TEST_TIMEOUT_MS } from './support/fuzz';

/** Log lines as services write them, and as nobody should: JSON, logfmt, klog, paths, numbers, noise. */
const word = fc.oneof(
  fc.constantFrom(
    'GET',
    'failed',
    'user',
    'connection',
    'ERROR',
    'level=warn',
    'msg="x y"',
    '->',
    '...',
    '=',
    ':',
  ),
  fc.constantFrom(
    '10.0.0.1:8080',
    '0x1f',
    '12ms',
    '5.2 KB',
    '/var/log/app.log',
    'https://a.b/c?d=1',
    'C:\\x',
  ),
  fc.integer().map(String),
  fc.uuid(),
  text,
  anyUtf16,
);
const logLine = fc.oneof(
  fc.array(word, { maxLength: 8 }).map((ws) => ws.join(' ')),
  fc
    .tuple(fc.array(word, { maxLength: 6 }), fc.constantFrom(', ', '\t', '  ', ';', '\n', '\r\n'))
    .map(([ws, sep]) => ws.join(sep)),
  fc.dictionary(text, text, { maxKeys: 4 }).map((o) => JSON.stringify(o)),
  fc
    .tuple(fc.constantFrom('I', 'W', 'E', 'F'), fc.date({ noInvalidDate: true }), text)
    .map(
      ([s, d, m]) =>
        `${s}${d.toISOString().slice(5, 10).replace('-', '')} 12:00:00.000000 1 main.go:42] ${m}`,
    ),
  wildString,
);

const iso = (ms: number) => new Date(ms).toISOString();
/** Half a surrogate pair, which UTF-8 cannot carry (it becomes U+FFFD). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('the log line readers', () => {
  it(
    'tokenize any line into words and separators that rebuild it',
    () => {
      fuzz(logLine, (line) => {
        const t = tokenize(line);
        ensure(t.seps.length === t.words.length + 1, () => 'not one separator more than words');
        ensure(t.classes.length === t.words.length, () => 'not one class per word');
        let rebuilt = t.seps[0] ?? '';
        t.words.forEach((w, i) => {
          ensure(w !== '', () => `word ${i} is empty`);
          rebuilt += w + (t.seps[i + 1] ?? '');
        });
        assert.equal(rebuilt, line);
      });
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'mine any lines into stable, bounded templates, restored from a snapshot to the same ids',
    () => {
      const arb = fc.tuple(fc.array(logLine, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 6 }));
      fuzz(arb, ([lines, maxTemplates]) => {
        const opts = { maxTemplates, maxWords: 8, maxMessageChars: 64 };
        const miner = new TemplateMiner(opts);
        const ids = lines.map((l) => miner.add(l).templateId);
        ensure(miner.size <= maxTemplates, () => `${miner.size} templates, limit ${maxTemplates}`);
        for (const t of miner.templates()) {
          ensure(t.count > 0, () => `template ${t.id} matched no line`);
          // A template renders its creating message (at most 64 characters) with <*> for variables.
          ensure(t.text.length <= 64 * 3, () => `template text of ${t.text.length} characters`);
        }
        const restored = TemplateMiner.restore(JSON.parse(JSON.stringify(miner.snapshot())), opts);
        const again = lines.map((l) => miner.add(l).templateId);
        assert.deepStrictEqual(
          lines.map((l) => restored.add(l).templateId),
          again,
        );
        // The last line's template was just matched, so it survives eviction.
        assert.equal(miner.add(lines.at(-1) ?? '').templateId, again.at(-1));
        assert.equal(ids.length, lines.length);
      });
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'restore a miner from any saved state, or refuse it with a DecodeError',
    () => {
      const miner = new TemplateMiner({ maxTemplates: 4 });
      for (const l of [
        'user alice logged in',
        'user bob logged in',
        'disk /dev/sda1 at 91%',
        'GET /a 200 12ms',
      ])
        miner.add(l);
      const snapshot = miner.snapshot();
      const saved = fc.oneof(
        wildJson,
        mutatedJson(fc.constant(snapshot)),
        blankedJson(fc.constant(snapshot)),
      );
      fuzz(fc.tuple(saved, logLine), ([state, line]) => {
        const r = decodeOrReject(() => TemplateMiner.restore(state, { maxTemplates: 4 }));
        if (!r.ok) return;
        ensure(r.value.size <= 4, () => `${r.value.size} templates restored, limit 4`);
        const mined = r.value.add(line);
        ensure(r.value.template(mined.templateId) !== undefined, () => 'the line has no template');
      });
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'read a message and a severity from any body',
    () => {
      const body = fc.oneof(
        logLine,
        wildString,
        fc.array(logLine, { maxLength: 4 }).map((ls) => ls.join('\n')),
      );
      fuzz(fc.tuple(body, fc.integer({ min: 1, max: 200 }), wildNumber, wildString), ([b, max, n, sev]) => {
        const m = messageOf(b, max);
        ensure(m.text.length <= max, () => `a message of ${m.text.length} characters, limit ${max}`);
        ensure(b.includes(m.text), () => 'the message is not a part of the body');
        ensure(b.includes('\n') || !m.multiLine, () => 'a one-line body read as multi-line');
        for (const text of [sev, b]) {
          const severity = logSeverity(n, text);
          ensure(SEVERITIES.includes(severity), () => `severity ${severity}`);
        }
      });
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'cut any body to at most 64 KiB of UTF-8 on a character boundary',
    () => {
      // Just past the limit: 60 to 70 KB of UTF-8 in one-, two-, three- and four-byte characters.
      const long = fc
        .tuple(
          fc.constantFrom('a', 'é', '€', '😀', '\uD800', 'ab\n'),
          fc.integer({ min: 60_000, max: 70_000 }),
        )
        .map(([c, bytes]) => c.repeat(Math.ceil(bytes / Buffer.byteLength(c))));
      const value = fc.oneof(
        { arbitrary: long, weight: 2 },
        { arbitrary: logLine, weight: 16 },
        { arbitrary: fc.array(fc.oneof(long, logLine), { maxLength: 2 }), weight: 1 },
        { arbitrary: fc.dictionary(text, fc.oneof(long, logLine), { maxKeys: 2 }), weight: 1 },
      );
      fuzz(value, (v) => {
        const out = bodyText(v);
        const bytes = Buffer.byteLength(out);
        ensure(bytes <= MAX_BODY_BYTES, () => `a body of ${bytes} bytes`);
        const whole = typeof v === 'string' ? v : JSON.stringify(v);
        if (Buffer.byteLength(whole) <= MAX_BODY_BYTES) assert.equal(out, whole);
        else {
          const kept = out.slice(0, out.lastIndexOf('…[truncated '));
          const cut = !LONE_SURROGATE.test(whole) && !whole.startsWith(kept);
          ensure(!cut, () => 'the kept text is not the start of the body');
        }
      });
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'read kubelet timestamps exactly, and nothing else as one',
    () => {
      const stamp = fc
        .tuple(
          fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2200, 0, 1) }),
          fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 0, maxLength: 9 }),
          fc.constantFrom('Z', '+00:00', '+05:30', '-08:00'),
        )
        .map(([ms, frac, zone]) => {
          const whole = Math.floor(ms / 1000) * 1000;
          const offsetMin =
            zone === 'Z'
              ? 0
              : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4)));
          const local = iso(whole + offsetMin * 60_000).slice(0, 19);
          const nanos = BigInt(whole) * 1_000_000n + BigInt((frac + '000000000').slice(0, 9));
          return { text: `${local}${frac === '' ? '' : `.${frac}`}${zone}`, nanos };
        });
      fuzz(fc.tuple(stamp, wildString, text), ([s, junk, msg]) => {
        assert.equal(rfc3339Nanos(s.text), s.nanos);
        const read = rfc3339Nanos(junk);
        ensure(read === undefined || typeof read === 'bigint', () => `read ${String(read)}`);
        const line = lineTime(`${s.text} ${msg}`, 3, { startMs: 0, stepMs: 1 });
        assert.deepStrictEqual(line, { nanos: s.nanos, text: msg, assigned: false });
        const untimed = lineTime(junk, 3, { startMs: 1000, stepMs: 2.5 });
        if (untimed.assigned) {
          assert.deepStrictEqual(untimed, { nanos: 1_008_000_000n, text: junk, assigned: true });
        }
      });
    },
    FUZZ_TEST_TIMEOUT_MS,
  );
});
