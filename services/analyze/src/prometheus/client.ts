import type { ReadableStreamReadResult } from 'node:stream/web';
import type { z } from 'zod';
import { ValidationError } from '@sleuth/core';
import { ApiEnvelope, QueryData, SeriesData } from './api-schema';
import {
  isPrometheusFailure,
  PrometheusError,
  PrometheusTimeoutError,
  PrometheusUnreachableError,
} from './errors';
import { limitedResult } from './result';
import type {
  PromQLSource,
  PromQueryResult,
  PromRange,
  PromSeriesResult,
  PrometheusSettings,
} from './source';

/** Prometheus refuses a range query with more points than this per series. */
const PROMETHEUS_MAX_RESOLUTION = 11_000;
const DEFAULT_MAX_RESPONSE_BYTES = 32 * 2 ** 20;

/**
 * A Prometheus HTTP API client over `fetch` (POSTed forms, so long queries fit). Each call is
 * bounded by `timeoutMs` (also sent as Prometheus's own evaluation timeout), validated with zod
 * and cut to `maxSeries` / `maxPoints` with notes saying what was left out. It throws only
 * {@link PrometheusError} (Prometheus's message), {@link PrometheusUnreachableError},
 * {@link PrometheusTimeoutError}, or a ValidationError for a bad range; never a raw fetch error.
 * Stateless: one instance serves any number of concurrent calls.
 */
export class PrometheusClient implements PromQLSource {
  readonly cluster: string | undefined;
  private readonly base: string;
  /** The URL as messages show it: no credentials, no query string. */
  private readonly shown: string;

  /** `Authorization`: the bearer token, else the URL's user and password (fetch refuses them in URLs). */
  private readonly authorization: string | undefined;

  constructor(private readonly settings: PrometheusSettings) {
    const url = new URL(settings.url);
    const basic = url.username
      ? Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString(
          'base64',
        )
      : undefined;
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    this.shown = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    this.base = url.href.replace(/\/+$/, '');
    this.authorization = settings.bearerToken
      ? `Bearer ${settings.bearerToken}`
      : basic
        ? `Basic ${basic}`
        : undefined;
    this.cluster = settings.cluster;
  }

  async query(promql: string, at: { timeMs?: number | undefined } = {}): Promise<PromQueryResult> {
    const data = await this.call('query', QueryData, {
      query: promql,
      ...(at.timeMs === undefined ? {} : { time: seconds(at.timeMs) }),
    });
    return limitedResult(data.value, data.warnings, this.settings);
  }

  async queryRange(promql: string, range: PromRange): Promise<PromQueryResult> {
    const { startMs, endMs } = range;
    if (!(endMs >= startMs) || !(range.stepMs > 0))
      throw new ValidationError('a range query needs start ≤ end and a positive step');
    const perSeries = Math.min(PROMETHEUS_MAX_RESOLUTION, this.settings.maxPoints);
    const minStep = Math.ceil((endMs - startMs) / Math.max(1, perSeries - 1) / 1000) * 1000;
    const stepMs = Math.max(range.stepMs, minStep);
    const data = await this.call('query_range', QueryData, {
      query: promql,
      start: seconds(startMs),
      end: seconds(endMs),
      step: seconds(stepMs),
    });
    const result = limitedResult(data.value, data.warnings, this.settings);
    if (stepMs > range.stepMs)
      result.notes.unshift(
        `step raised from ${range.stepMs / 1000} s to ${stepMs / 1000} s to keep at most ${perSeries} points per series`,
      );
    return { ...result, stepMs };
  }

  async series(
    matchers: readonly string[],
    window: { startMs: number; endMs: number },
  ): Promise<PromSeriesResult> {
    if (matchers.length === 0) throw new ValidationError('a series lookup needs at least one matcher');
    const data = await this.call('series', SeriesData, {
      'match[]': [...matchers],
      start: seconds(window.startMs),
      end: seconds(window.endMs),
    });
    const max = this.settings.maxSeries;
    const all = data.value;
    const truncated = all.length > max;
    return {
      series: all.slice(0, max),
      truncated,
      notes: truncated ? [`${max} of ${all.length} series kept (prometheus.maxSeries)`] : [],
      warnings: data.warnings,
    };
  }

  /** POSTs a form to `/api/v1/<path>` and returns the validated `data`; maps every failure. */
  private async call<S extends z.ZodType>(
    path: string,
    schema: S,
    form: Record<string, string | string[]>,
  ): Promise<{ value: z.output<S>; warnings: string[] }> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
    if (path !== 'series') body.append('timeout', `${Math.max(1, Math.round(this.settings.timeoutMs))}ms`);
    const signal = AbortSignal.timeout(this.settings.timeoutMs);
    try {
      const res = await fetch(`${this.base}/api/v1/${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          ...(this.authorization ? { authorization: this.authorization } : {}),
        },
        body,
        signal,
      });
      const text = await this.read(res);
      const envelope = ApiEnvelope.safeParse(parseJson(text));
      if (!envelope.success) {
        if (res.status === 401 || res.status === 403)
          throw new PrometheusError(
            `Prometheus at ${this.shown} answered ${res.status}: check prometheus.bearerToken`,
            'unauthorized',
            res.status,
          );
        throw new PrometheusError(
          `${this.shown} answered HTTP ${res.status} with something that is not the Prometheus API ` +
            `(check prometheus.url): ${text.slice(0, 200)}`,
          'bad_response',
          res.status,
        );
      }
      const e = envelope.data;
      if (e.status === 'error')
        throw new PrometheusError(
          `Prometheus rejected the query (${e.errorType ?? 'error'}): ${e.error ?? 'no message'}`,
          e.errorType ?? 'error',
          res.status,
        );
      const data = schema.safeParse(e.data);
      if (!data.success)
        throw new PrometheusError(
          `Prometheus at ${this.shown} answered /api/v1/${path} with data of an unexpected shape: ` +
            data.error.issues
              .slice(0, 3)
              .map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`)
              .join('; '),
          'bad_response',
          res.status,
        );
      return { value: data.data, warnings: e.warnings ?? [] };
    } catch (err) {
      throw this.failure(err, signal);
    }
  }

  /** The body as text, refusing one over `maxResponseBytes`. */
  private async read(res: Response): Promise<string> {
    const max = this.settings.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const reader = res.body?.getReader();
    if (!reader) return '';
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const next: ReadableStreamReadResult<unknown> = await reader.read();
      if (next.done) break;
      const value = next.value;
      if (!(value instanceof Uint8Array)) continue;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel().catch(() => undefined);
        throw new PrometheusError(
          `Prometheus's answer is over ${max} bytes: select fewer series or a shorter range`,
          'bad_response',
          res.status,
        );
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private failure(err: unknown, signal: AbortSignal): Error {
    if (isPrometheusFailure(err)) return err;
    if (signal.aborted)
      return new PrometheusTimeoutError(
        `Prometheus at ${this.shown} did not answer within ${this.settings.timeoutMs / 1000} s: ` +
          'select fewer series, a shorter range or a larger step (or raise prometheus.timeoutSeconds)',
        this.settings.timeoutMs,
      );
    const cause: unknown = err instanceof Error ? err.cause : undefined;
    const code = cause instanceof Error && 'code' in cause ? String(cause.code) : undefined;
    const why =
      code ?? (cause instanceof Error ? cause.message : err instanceof Error ? err.message : String(err));
    return new PrometheusUnreachableError(
      `Prometheus at ${this.shown} is unreachable (${why}): check prometheus.url and that it is running`,
      err,
    );
  }
}

/** Milliseconds as the API's unix seconds. */
const seconds = (ms: number): string => String(ms / 1000);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
