import type { Anomaly, LogRecord, SignalBatch } from '@sleuth/core';
import { anomalyId, resourceKey, type Detector } from '../detector';
import { TemplateMiner } from './template-miner';
import {
  DEFAULT_LOG_DETECTOR_OPTIONS,
  workloadOf,
  type LogDetectorOptions,
  type LogDetectorSkips,
} from './log-detector-options';
import { errorBurstText, novelText, burstText, silenceText, type AnomalyText } from './log-anomaly-text';
import {
  exampleIds,
  fold,
  keepExample,
  mergeIds,
  newTemplateCounts,
  newWorkload,
  type Episode,
  type Example,
  type WorkloadLogs,
} from './workload-logs';

function isError(r: LogRecord): boolean {
  return r.severity === 'error' || r.severity === 'fatal';
}

/** 0.5 at the threshold, rising toward 1 as the count passes it. */
function burstScore(count: number, threshold: number): number {
  return Math.min(1, Math.max(0.5, 1 - threshold / (2 * count)));
}

/**
 * Log anomalies per workload (`log-templates`): a message the workload never logged before, once
 * its usual logs are learned; a message far above its usual rate; a burst of error and fatal
 * lines; a chatty workload gone silent (found by `tick`). Every line goes through one shared
 * {@link TemplateMiner} (pass a restored one to keep template ids across restarts); counts are
 * kept per window of the signals' clock, and an open anomaly is updated at most once per window.
 * Each anomaly's evidence is `{ kind: 'log', ids }` with example record ids.
 */
export class LogTemplateDetector implements Detector {
  readonly id = 'log-templates';
  readonly skipped: LogDetectorSkips = { workloadLimit: 0, templateLimit: 0, late: 0, invalid: 0 };
  readonly miner: TemplateMiner;
  private readonly opts: LogDetectorOptions;
  private readonly workloads = new Map<string, WorkloadLogs>();

  constructor(options: Partial<LogDetectorOptions> = {}, miner: TemplateMiner = new TemplateMiner()) {
    this.opts = { ...DEFAULT_LOG_DETECTOR_OPTIONS, ...options };
    this.miner = miner;
  }

  get workloadCount(): number {
    return this.workloads.size;
  }

  observe(batch: SignalBatch): Anomaly[] {
    const out: Anomaly[] = [];
    for (const r of batch.logs) this.record(r, out);
    return out;
  }

  tick(nowMs: number): Anomaly[] {
    const out: Anomaly[] = [];
    const o = this.opts;
    const target = Math.floor((nowMs - o.graceMs) / o.windowMs);
    for (const [key, w] of this.workloads) {
      if (nowMs - w.lastMs >= o.idleMs) {
        for (const e of openEpisodes(w))
          out.push({ ...e.anomaly, endMs: Math.max(e.anomaly.lastSeenMs, w.lastMs) });
        this.workloads.delete(key);
        continue;
      }
      if (target > w.window) this.closeWindows(w, target, out);
      const silentMs = nowMs - w.lastMs;
      if (
        !w.silence &&
        silentMs >= o.silentWindows * o.windowMs &&
        w.usualTotal >= o.chattyPerWindow &&
        w.lastMs - w.firstMs >= o.learningMs
      ) {
        const score = Math.min(1, 0.5 + 0.5 * (1 - o.chattyPerWindow / w.usualTotal));
        w.silence = this.open(w, 'silent', w.lastMs, nowMs, score, silenceText(w, silentMs), []);
        out.push(w.silence.anomaly);
      }
    }
    return out;
  }

  private record(r: LogRecord, out: Anomaly[]): void {
    const o = this.opts;
    if (!Number.isFinite(r.timeMs)) {
      this.skipped.invalid++;
      return;
    }
    const ref = workloadOf(r.source);
    const key = resourceKey(ref);
    const window = Math.floor(r.timeMs / o.windowMs);
    let w = this.workloads.get(key);
    if (!w) {
      if (this.workloads.size >= o.maxWorkloads) {
        this.skipped.workloadLimit++;
        return;
      }
      w = newWorkload(key, ref, r.timeMs, window);
      this.workloads.set(key, w);
    }
    if (w.silence) {
      out.push({ ...w.silence.anomaly, endMs: Math.max(r.timeMs, w.silence.anomaly.lastSeenMs) });
      w.silence = undefined;
    }
    if (window > w.window) this.closeWindows(w, window, out);
    else if (window < w.window) this.skipped.late++;
    w.lastMs = Math.max(w.lastMs, r.timeMs);
    w.total++;
    const learned = r.timeMs - w.firstMs >= o.learningMs;
    const { templateId } = this.miner.add(r.body);
    let t = w.templates.get(templateId);
    if (!t) {
      if (w.templates.size >= o.maxTemplatesPerWorkload) this.skipped.templateLimit++;
      else {
        t = newTemplateCounts(templateId);
        w.templates.set(templateId, t);
        if (learned) {
          const score = isError(r) ? 0.8 : r.severity === 'warn' ? 0.6 : 0.4;
          const ex: Example[] = [];
          keepExample(ex, r, o.examples, o.exampleChars);
          t.novel = this.open(
            w,
            `new|${templateId}`,
            r.timeMs,
            r.timeMs,
            score,
            novelText(w, this.text(t.id), 1, ex),
            ex,
          );
          out.push(t.novel.anomaly);
        }
      }
    }
    if (t) {
      t.count++;
      keepExample(t.examples, r, o.examples, o.exampleChars);
      const threshold = o.burstFactor * Math.max(t.usual, o.minUsual);
      if (learned && !t.novel && !t.burst && t.count >= o.minBurst && t.count >= threshold) {
        const text = burstText(w, this.text(t.id), t.count, t.usual, o.windowMs, t.examples);
        t.burst = this.open(
          w,
          `burst|${t.id}`,
          r.timeMs,
          r.timeMs,
          burstScore(t.count, threshold),
          text,
          t.examples,
        );
        out.push(t.burst.anomaly);
      }
    }
    if (isError(r)) {
      w.errors++;
      keepExample(w.errorExamples, r, o.examples, o.exampleChars);
      if (w.errorTemplates.has(templateId) || w.errorTemplates.size < 100) {
        w.errorTemplates.set(templateId, (w.errorTemplates.get(templateId) ?? 0) + 1);
      }
      const threshold = o.errorFactor * Math.max(w.usualErrors, o.minUsual);
      if (learned && !w.errorBurst && w.errors >= o.minErrors && w.errors >= threshold) {
        const text = errorBurstText(w, this.loudestErrors(w), o.windowMs);
        w.errorBurst = this.open(
          w,
          'errors',
          r.timeMs,
          r.timeMs,
          burstScore(w.errors, threshold),
          text,
          w.errorExamples,
        );
        out.push(w.errorBurst.anomaly);
      }
    }
  }

  /** Ends the current window (judging open episodes, learning usual counts) and moves to `next`. */
  private closeWindows(w: WorkloadLogs, next: number, out: Anomaly[]): void {
    const o = this.opts;
    const empty = next - w.window - 1;
    const endMs = (w.window + 1) * o.windowMs;
    const quieter = (e: Episode, ordinary: boolean): boolean => {
      e.quiet = ordinary ? e.quiet + 1 + empty : empty;
      return e.quiet >= o.quietWindows;
    };
    for (const t of w.templates.values()) {
      if (t.novel) {
        if (t.count > 0) {
          t.seenWindows++;
          const text = novelText(w, this.text(t.id), t.seenWindows, t.examples);
          const prev = t.novel.anomaly;
          const ids = prev.signal.kind === 'log' ? mergeIds(prev.signal.ids, t.examples, o.examples) : [];
          t.novel.anomaly = update(
            prev,
            { lastSeenMs: w.lastMs, signal: { kind: 'log', ids }, ...text },
            out,
          );
        }
        if (quieter(t.novel, t.count === 0) || t.seenWindows >= o.learnedAfterWindows) {
          out.push({ ...t.novel.anomaly, endMs });
          t.novel = undefined;
        }
      }
      if (t.burst) {
        const threshold = o.burstFactor * Math.max(t.usual, o.minUsual);
        const loud = t.count >= o.minBurst && t.count >= threshold;
        if (loud) {
          const text = burstText(w, this.text(t.id), t.count, t.usual, o.windowMs, t.examples);
          const score = Math.max(t.burst.anomaly.score, burstScore(t.count, threshold));
          t.burst.anomaly = update(t.burst.anomaly, { lastSeenMs: w.lastMs, score, ...text }, out);
        }
        if (quieter(t.burst, !loud)) {
          out.push({ ...t.burst.anomaly, endMs });
          t.burst = undefined;
        }
      } else t.usual = fold(t.usual, t.count, empty, o.alpha);
      t.count = 0;
      t.examples = [];
    }
    if (w.errorBurst) {
      const threshold = o.errorFactor * Math.max(w.usualErrors, o.minUsual);
      const loud = w.errors >= o.minErrors && w.errors >= threshold;
      if (loud) {
        const text = errorBurstText(w, this.loudestErrors(w), o.windowMs);
        const score = Math.max(w.errorBurst.anomaly.score, burstScore(w.errors, threshold));
        w.errorBurst.anomaly = update(w.errorBurst.anomaly, { lastSeenMs: w.lastMs, score, ...text }, out);
      }
      if (quieter(w.errorBurst, !loud)) {
        out.push({ ...w.errorBurst.anomaly, endMs });
        w.errorBurst = undefined;
      }
    } else w.usualErrors = fold(w.usualErrors, w.errors, empty, o.alpha);
    // The usual volume learns only from windows with lines, so a silence does not erase it.
    if (w.total > 0) w.usualTotal = fold(w.usualTotal, w.total, 0, o.alpha);
    w.total = 0;
    w.errors = 0;
    w.errorExamples = [];
    w.errorTemplates = new Map();
    w.window = next;
  }

  private open(
    w: WorkloadLogs,
    condition: string,
    onsetMs: number,
    lastSeenMs: number,
    score: number,
    text: AnomalyText,
    examples: readonly Example[],
  ): Episode {
    const anomaly: Anomaly = {
      id: anomalyId(this.id, `${w.key}|${condition}`, onsetMs),
      detector: this.id,
      resource: w.ref,
      signal: { kind: 'log', ids: exampleIds(examples).slice(0, 100) },
      onsetMs,
      lastSeenMs,
      score,
      ...text,
    };
    return { anomaly, quiet: 0 };
  }

  private text(templateId: string): { id: string; text: string } {
    return { id: templateId, text: this.miner.template(templateId)?.text ?? '(template evicted)' };
  }

  /** The window's error lines by template, loudest first, with examples. */
  private loudestErrors(w: WorkloadLogs): {
    errors: number;
    usual: number;
    top: { id: string; text: string; count: number }[];
    examples: Example[];
  } {
    const top = [...w.errorTemplates.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([id, count]) => ({ ...this.text(id), count }));
    return { errors: w.errors, usual: w.usualErrors, top, examples: w.errorExamples };
  }
}

/** The anomaly with `changes`, reported in `out` only when one of them is news. */
function update(prev: Anomaly, changes: Partial<Anomaly>, out: Anomaly[]): Anomaly {
  const next = { ...prev, ...changes };
  const news =
    next.lastSeenMs !== prev.lastSeenMs ||
    next.score !== prev.score ||
    next.title !== prev.title ||
    next.explanation !== prev.explanation ||
    JSON.stringify(next.signal) !== JSON.stringify(prev.signal);
  if (news) out.push(next);
  return next;
}

function openEpisodes(w: WorkloadLogs): Episode[] {
  const out: Episode[] = [];
  for (const t of w.templates.values()) {
    if (t.novel) out.push(t.novel);
    if (t.burst) out.push(t.burst);
  }
  if (w.errorBurst) out.push(w.errorBurst);
  if (w.silence) out.push(w.silence);
  return out;
}
