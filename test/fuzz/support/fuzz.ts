import vm from 'node:vm';
import fc from 'fast-check';
import { isSleuthError, type SleuthError } from '@sleuth/core';

/**
 * How the fuzz properties run: 10,000 cases each (FUZZ_RUNS raises or lowers it), a random seed per
 * run that fast-check prints with any counterexample (FUZZ_SEED and FUZZ_PATH replay one), every case
 * under a time bound, and a whole synchronous run under a watchdog that can stop an endless loop.
 */

function envNumber(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be an integer, got ${JSON.stringify(text)}`);
  return n;
}

/** Cases per decoder property. */
export const RUNS = Math.max(1, envNumber('FUZZ_RUNS') ?? 10_000);
/** Cases per HTTP-level property: each runs the whole server path, so a tenth as many. */
export const HTTP_RUNS = Math.max(1, Math.round(RUNS / 10));
/** A case slower than this fails its property: no input may make a decoder hang. */
export const MAX_CASE_MS = 1000;
/** A synchronous run still going after this long is stopped and reported as a hang. */
const WATCHDOG_MS = Math.max(60_000, RUNS * 5);
/** The vitest timeout a fuzz test needs: longer than its watchdog. */
export const FUZZ_TEST_TIMEOUT_MS = WATCHDOG_MS + 30_000;

const replaySeed = envNumber('FUZZ_SEED');
const replayPath = process.env['FUZZ_PATH'];

/**
 * A run's parameters: the seed and path to replay when FUZZ_SEED is set, else a fresh random seed,
 * drawn here as fast-check draws its default so that a watchdog report can name it too.
 */
function runParameters(runs: number): fc.Parameters<unknown> {
  if (replaySeed !== undefined) {
    return {
      numRuns: runs,
      seed: replaySeed,
      ...(replayPath ? { path: replayPath, endOnFailure: true } : {}),
    };
  }
  return { numRuns: runs, seed: Date.now() ^ (Math.random() * 0x100000000) };
}

function caseTooSlow(ms: number): Error {
  return new Error(`one case took ${Math.round(ms)} ms, more than the ${MAX_CASE_MS} ms a case may take`);
}

const watchdog = vm.createContext({ job: undefined as (() => void) | undefined });
const runJob = new vm.Script('job()');

/**
 * Checks `predicate` on `runs` generated values; it fails by throwing. Each case is timed; the run
 * executes under a watchdog (vm's timeout interrupts even a loop that never yields), which reports
 * the case it stopped in and the seed that replays it.
 */
export function fuzz<T>(arb: fc.Arbitrary<T>, predicate: (value: T) => void, runs = RUNS): void {
  const params = runParameters(runs);
  let current: { value: T } | undefined;
  const property = fc.property(arb, (value) => {
    current = { value };
    const started = performance.now();
    predicate(value);
    const ms = performance.now() - started;
    if (ms > MAX_CASE_MS) throw caseTooSlow(ms);
  });
  watchdog['job'] = () => fc.assert(property, params);
  try {
    runJob.runInContext(watchdog, { timeout: WATCHDOG_MS });
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw err;
    const input = current === undefined ? '(none)' : fc.stringify(current.value).slice(0, 4000);
    throw new Error(
      `the run was stopped after ${WATCHDOG_MS} ms: a case never finished. Replay with FUZZ_SEED=${params.seed}. The case: ${input}`,
      { cause: err },
    );
  } finally {
    watchdog['job'] = undefined;
  }
}

/** As `fuzz`, for a predicate that returns a promise; a case that never settles fails after MAX_CASE_MS. */
export async function fuzzAsync<T>(
  arb: fc.Arbitrary<T>,
  predicate: (value: T) => Promise<void>,
  runs = RUNS,
): Promise<void> {
  const property = fc.asyncProperty(arb, async (value) => {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(caseTooSlow(performance.now() - started)), MAX_CASE_MS);
    });
    try {
      await Promise.race([predicate(value), late]);
    } finally {
      clearTimeout(timer);
    }
    const ms = performance.now() - started;
    if (ms > MAX_CASE_MS) throw caseTooSlow(ms);
  });
  await fc.assert(property, runParameters(runs));
}

/**
 * Fails the case unless `ok`, with the message `what` gives. For checks made ten thousand times a
 * property, where vitest's `expect` (about 10 µs a call) would be most of the run's time.
 */
export function ensure(ok: boolean, what: () => string): asserts ok {
  if (!ok) throw new Error(what());
}

/**
 * Runs a decoder on untrusted input: its result, or the project's coded 4xx error it threw (bad
 * input is the sender's fault). Anything else (TypeError, RangeError, a stack overflow, a 5xx
 * SleuthError) is rethrown, failing the property.
 */
export function decodeOrReject<R>(
  decode: () => R,
): { ok: true; value: R } | { ok: false; error: SleuthError } {
  try {
    return { ok: true, value: decode() };
  } catch (err) {
    if (isSleuthError(err) && err.statusCode >= 400 && err.statusCode < 500) return { ok: false, error: err };
    throw err;
  }
}
