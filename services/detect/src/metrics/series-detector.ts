import { AnomalyLikelihood, type LikelihoodOptions } from './anomaly-likelihood';
import { DEFAULT_DAILY_OPTIONS, DailyProfile, type DailyProfileOptions } from './daily-profile';
import { TransitionModel, type TransitionModelOptions } from './transition-model';

/**
 * A streaming anomaly detector for one metric series, with fixed memory whatever the series'
 * length. Three independent checks, each a common way a metric goes wrong:
 * - `pattern`: the value is out of sequence for this series (a transition model over value
 *   buckets gives a surprise per point; its recent average, calibrated against the series' own
 *   history of surprise, gives the score). Catches level shifts, spikes and dips inside the
 *   usual range, changed daily shapes, trend changes.
 * - `extreme`: the value lies beyond everything the series has shown, by more than a margin of
 *   its range (a new maximum or minimum), scored by how rarely chance would set such a record.
 * - `flat-line`: the series has repeated one value for more than twice its longest earlier run,
 *   and a run that long would be a one-in-a-million chance for it (a stuck exporter, a dead
 *   queue, a saturated gauge).
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
  /** Shortest run of one repeated value that can be a flat line. */
  flatMinRun: number;
  /** A flat line must be this many times longer than the series' longest earlier run. */
  flatRunFactor: number;
  /** Points during which a pattern score below the last alarm's is held back. */
  suppress: number;
  /** The time-of-day check (it needs timestamps and two days of a daily shape). */
  daily: DailyProfileOptions;
}

export const DEFAULT_SERIES_OPTIONS: SeriesDetectorOptions = {
  warmup: 300,
  transitions: { buckets: 10, capacity: 24, neighbourWeight: 0.5 },
  likelihood: { average: 10, history: 4000, warmup: 0 },
  extremeMargin: 0.05,
  flatMinRun: 6,
  flatRunFactor: 2,
  suppress: 100,
  daily: DEFAULT_DAILY_OPTIONS,
};

/** A repeated value is a flat line only if a run that long would happen by chance less often. */
const FLAT_CHANCE = 1e-6;
/** Time-of-day deviations learned before that check scores (what ordinary ones look like). */
const DAILY_CALIBRATION = 100;
/** Records are counted once the range means something. */
const RECORDS_AFTER = 20;
/** The least usual record excess assumed, in steps. */
const MIN_RECORD_STEPS = 0.5;
/**
 * A prior on the usual record excess, in steps, worth this many records: a few records make a
 * noisy estimate, and a heavy-tailed series whose first records happened to be narrow would
 * otherwise score its next ordinary far draw as a once-in-a-million record.
 */
const PRIOR_RECORD_STEPS = 2;
const PRIOR_RECORDS = 5;
/** The least score of a value beyond the range seen (a new high by a hair). */
const EXTREME_FLOOR = 0.3;
/** Points over which the point-to-point noise is averaged. */
const NOISE_HISTORY = 1000;

export type AnomalyKind = 'pattern' | 'extreme' | 'flat-line' | 'time-of-day';

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
  private moves = 0;
  /** New highs or lows set so far, and how far past the old one they went on average, in steps. */
  private records = 0;
  private recordSteps = 0;
  /** Share of recent points that differ from the one before: how busy the series is. */
  private moving = 0;
  private peakAt = -Infinity;
  private readonly daily: DailyProfile;
  private readonly dailyLikelihood: AnomalyLikelihood;
  private dailyPeak = 0;
  private dailyPeakAt = -Infinity;

  constructor(private readonly opts: SeriesDetectorOptions = DEFAULT_SERIES_OPTIONS) {
    this.model = new TransitionModel(opts.transitions);
    this.likelihood = new AnomalyLikelihood(opts.likelihood);
    this.daily = new DailyProfile(opts.daily);
    this.dailyLikelihood = new AnomalyLikelihood({ ...opts.likelihood, warmup: DAILY_CALIBRATION });
    this.learning = new Float64Array(Math.max(1, opts.warmup));
  }

  /** Points seen so far. */
  get count(): number {
    return this.seen;
  }

  /** Bytes this detector holds once its warmup is over (while learning, plus `warmup` values). */
  get bytes(): number {
    return (
      this.model.bytes +
      this.likelihood.bytes +
      this.daily.bytes +
      this.dailyLikelihood.bytes +
      (this.learning?.byteLength ?? 0) +
      112
    );
  }

  /**
   * Scores `value` against the past, then learns it. With `timeMs` (epoch ms, increasing) the
   * time-of-day check runs too. Non-finite values are ignored (score 0).
   */
  update(value: number, timeMs?: number): PointScore {
    if (!Number.isFinite(value)) return { score: 0, kind: undefined, expectedLow: NaN, expectedHigh: NaN };
    const i = this.seen++;
    const daily = timeMs === undefined ? undefined : this.timeOfDay(value, timeMs, i);
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
    if (daily && daily.score > Math.max(extreme, flat, pattern)) {
      return { score: daily.score, kind: 'time-of-day', expectedLow: daily.low, expectedHigh: daily.high };
    }
    if (extreme > 0 || flat > 0) {
      const kind = extreme >= flat ? 'extreme' : 'flat-line';
      return { score: Math.max(extreme, flat), kind, expectedLow: range.low, expectedHigh: range.high };
    }
    if (pattern <= 0) return { score: 0, kind: undefined, expectedLow: NaN, expectedHigh: NaN };
    const [expectedLow, expectedHigh] = this.model.expectedRange() ?? [range.low, range.high];
    return { score: pattern, kind: 'pattern', expectedLow, expectedHigh };
  }

  /**
   * 0 inside the range seen so far (widened by `extremeMargin`); beyond it, how rarely chance
   * alone would set such a record, from `EXTREME_FLOOR` (a new high by a hair, which a noisy
   * series sets about once every n points) to 1 (a spike far past anything the series' own
   * records have done).
   */
  private extreme(value: number, i: number): number {
    if (i > 0) {
      // Mean absolute step between differing values: for a series of counts the unit of noise
      // is one more event, not the zero steps between them.
      const step = Math.abs(value - this.last);
      if (step > 0) {
        this.moves++;
        this.meanStep += (step - this.meanStep) / Math.min(this.moves, NOISE_HISTORY);
      }
      this.moving += ((step > 0 ? 1 : 0) - this.moving) / Math.min(i, NOISE_HISTORY);
    }
    this.last = value;
    // A range means some earlier step moved, so the mean step is positive too.
    if (!(this.max > this.min)) return 0;
    // How far past its old high (or low) this point is, in usual steps; and how far the
    // series' own records usually go: a heavy-tailed series (GC pauses, batch jobs) beats its
    // high by a lot every time, which is its nature, not an incident.
    const past = Math.max(value - this.max, this.min - value) / this.meanStep;
    const usualRecord = this.records > 0 ? this.recordSteps : 0;
    if (past > 0 && i >= RECORDS_AFTER) {
      this.records++;
      this.recordSteps += (past - this.recordSteps) / Math.min(this.records, NOISE_HISTORY);
    }
    if (i < this.opts.warmup) return 0;
    const margin = (this.max - this.min) * this.opts.extremeMargin;
    if (!(value > this.max + margin || value < this.min - margin)) return 0;
    // How likely chance alone makes a record this far out: a new record at all (about 1 in n
    // points), times an exponential tail of record excesses with the series' usual one as
    // mean. On the likelihood's log scale: 0.5 is one in 1e5, 1 is one in 1e10 or rarer.
    const seen = Math.min(this.records, NOISE_HISTORY);
    const shrunk = (seen * usualRecord + PRIOR_RECORDS * PRIOR_RECORD_STEPS) / (seen + PRIOR_RECORDS);
    const mean = Math.max(shrunk, MIN_RECORD_STEPS);
    const decades = Math.log10(i + 1) + (past / mean) * Math.LOG10E;
    return Math.max(EXTREME_FLOOR, Math.min(1, decades / 10));
  }

  /**
   * The time-of-day check: how far the recent values are from what their half-hours usually
   * show, calibrated like `pattern` (a likelihood over the series' own history of deviations);
   * one alarm per episode.
   */
  private timeOfDay(
    value: number,
    timeMs: number,
    i: number,
  ): { score: number; low: number; high: number } | undefined {
    const seen = this.daily.observe(value, timeMs);
    if (!seen) return undefined;
    let score = this.dailyLikelihood.update(Math.min(1, Math.abs(seen.deviations) / 8));
    if (i - this.dailyPeakAt > this.opts.suppress) this.dailyPeak = 0;
    if (score > this.dailyPeak) {
      this.dailyPeak = score;
      this.dailyPeakAt = i;
    } else score = 0;
    return { score, low: seen.low, high: seen.high };
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
      // ...and a run this long must be rare for it: a series of small counts repeats a lot.
      (1 - this.moving) ** this.run < FLAT_CHANCE &&
      this.max > this.min &&
      this.run >= Math.max(o.flatMinRun, o.flatRunFactor * this.longestRun)
    ) {
      this.flatReported = true;
      return 1;
    }
    return 0;
  }
}
