import { AnomalyLikelihood, type LikelihoodOptions } from './anomaly-likelihood';
import { TransitionModel, type TransitionModelOptions } from './transition-model';

/**
 * A streaming anomaly detector for one metric series, with fixed memory whatever the series'
 * length. Three independent checks, each a common way a metric goes wrong:
 * - `pattern`: the value is out of sequence for this series (a transition model over value
 *   buckets gives a surprise per point; its recent average, calibrated against the series' own
 *   history of surprise, gives the score). Catches level shifts, spikes and dips inside the
 *   usual range, changed daily shapes, trend changes.
 * - `extreme`: the value lies beyond everything the series has shown, by more than a margin of
 *   its range (a new maximum or minimum).
 * - `flat-line`: the series, which normally moves, has repeated one value for more than twice
 *   its longest earlier run (a stuck exporter, a dead queue, a saturated gauge).
 * The score of a point is the strongest check's, 0..1. After a `pattern` alarm, weaker pattern
 * scores are held back for `suppress` points, so a long anomaly is reported where it starts.
 */
export interface SeriesDetectorOptions {
  /** Values learned before anything is scored (they set the value buckets). */
  warmup: number;
  transitions: TransitionModelOptions;
  likelihood: LikelihoodOptions;
  /** Margin beyond the range seen so far, as a share of that range, that counts as extreme. */
  extremeMargin: number;
  /**
   * ...and at least this many times the series' point-to-point noise: in a noisy steady series a
   * new high by a hair is chance (the highest of n points is beaten about once per n), not news.
   */
  extremeNoiseMultiple: number;
  /** Shortest run of one repeated value that can be a flat line. */
  flatMinRun: number;
  /** A flat line must be this many times longer than the series' longest earlier run. */
  flatRunFactor: number;
  /** Points during which a pattern score below the last alarm's is held back. */
  suppress: number;
}

export const DEFAULT_SERIES_OPTIONS: SeriesDetectorOptions = {
  warmup: 300,
  transitions: { buckets: 10, capacity: 24, neighbourWeight: 0.5 },
  likelihood: { average: 10, history: 4000, warmup: 0 },
  extremeMargin: 0.05,
  extremeNoiseMultiple: 0,
  flatMinRun: 6,
  flatRunFactor: 2,
  suppress: 100,
};

/** Points over which the point-to-point noise is averaged. */
const NOISE_HISTORY = 1000;

export type AnomalyKind = 'pattern' | 'extreme' | 'flat-line';

/** A point's verdict: its score and, for explanations, what was expected instead. */
export interface PointScore {
  /** 0..1: how anomalous the point is given the series' past. */
  score: number;
  /** The check that gave the score (undefined when the score is 0). */
  kind: AnomalyKind | undefined;
  /**
   * Values usually seen after the previous point (pattern), the range seen before (extreme,
   * flat line); NaN when the score is 0 (not worked out for ordinary points).
   */
  expectedLow: number;
  expectedHigh: number;
}

export class SeriesDetector {
  private readonly model: TransitionModel;
  private readonly likelihood: AnomalyLikelihood;
  private learning: Float64Array | undefined;
  private seen = 0;
  private min = Infinity;
  private max = -Infinity;
  private runValue = NaN;
  private run = 0;
  private longestRun = 0;
  private flatReported = false;
  private peak = 0;
  private last = 0;
  private meanStep = 0;
  private peakAt = -Infinity;

  constructor(private readonly opts: SeriesDetectorOptions = DEFAULT_SERIES_OPTIONS) {
    this.model = new TransitionModel(opts.transitions);
    this.likelihood = new AnomalyLikelihood(opts.likelihood);
    this.learning = new Float64Array(Math.max(1, opts.warmup));
  }

  /** Points seen so far. */
  get count(): number {
    return this.seen;
  }

  /** Bytes this detector holds once its warmup is over (while learning, plus `warmup` values). */
  get bytes(): number {
    return this.model.bytes + this.likelihood.bytes + (this.learning?.byteLength ?? 0) + 96;
  }

  /** Scores `value` against the past, then learns it. Non-finite values are ignored (score 0). */
  update(value: number): PointScore {
    if (!Number.isFinite(value)) return { score: 0, kind: undefined, expectedLow: NaN, expectedHigh: NaN };
    const i = this.seen++;
    const flat = this.flatLine(value, i);
    const extreme = this.extreme(value, i);
    const range = { low: this.min, high: this.max };
    this.min = Math.min(this.min, value);
    this.max = Math.max(this.max, value);
    if (this.learning) {
      this.learning[i] = value;
      if (i + 1 >= this.learning.length) {
        // What ordinary surprise looks like for this series, so the first scores are calibrated.
        for (const s of this.model.calibrate(this.learning)) this.likelihood.update(s);
        this.learning = undefined;
      }
      return { score: 0, kind: undefined, expectedLow: NaN, expectedHigh: NaN };
    }
    let pattern = this.likelihood.update(this.model.next(value));
    // Only a new high within the suppression span counts: one alarm per episode.
    if (i - this.peakAt > this.opts.suppress) this.peak = 0;
    if (pattern > this.peak) {
      this.peak = pattern;
      this.peakAt = i;
    } else pattern = 0;
    if (extreme > 0 || flat > 0) {
      const kind = extreme >= flat ? 'extreme' : 'flat-line';
      return { score: Math.max(extreme, flat), kind, expectedLow: range.low, expectedHigh: range.high };
    }
    if (pattern <= 0) return { score: 0, kind: undefined, expectedLow: NaN, expectedHigh: NaN };
    const [expectedLow, expectedHigh] = this.model.expectedRange() ?? [range.low, range.high];
    return { score: pattern, kind: 'pattern', expectedLow, expectedHigh };
  }

  private extreme(value: number, i: number): number {
    // Point-to-point noise: the mean absolute step.
    if (i > 0) {
      const step = value - this.last;
      this.meanStep += (Math.abs(step) - this.meanStep) / Math.min(i, NOISE_HISTORY);
    }
    this.last = value;
    if (i < this.opts.warmup || !(this.max > this.min)) return 0;
    const noise = this.meanStep;
    const margin = Math.max(
      (this.max - this.min) * this.opts.extremeMargin,
      this.opts.extremeNoiseMultiple * noise,
    );
    return value > this.max + margin || value < this.min - margin ? 1 : 0;
  }

  private flatLine(value: number, i: number): number {
    const eps = 1e-6 * (this.max - this.min);
    if (Math.abs(value - this.runValue) <= eps) this.run++;
    else {
      if (!this.flatReported) this.longestRun = Math.max(this.longestRun, this.run);
      this.run = 1;
      this.runValue = value;
      this.flatReported = false;
    }
    const o = this.opts;
    if (
      !this.flatReported &&
      i >= o.warmup &&
      this.max > this.min &&
      this.run >= Math.max(o.flatMinRun, o.flatRunFactor * this.longestRun)
    ) {
      this.flatReported = true;
      return 1;
    }
    return 0;
  }
}
