/**
 * The Numenta Anomaly Benchmark's scoring (NAB v1), written from its definition: per file, a
 * probation period that is not scored, anomaly windows, a scaled sigmoid that rewards early
 * detections and discounts false positives by their distance after the previous window, and a
 * threshold applied to the detector's anomaly scores. Verified by reproducing the official
 * per-file scores of the official detectors' outputs (bench/nab.ts).
 */

export interface CostMatrix {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

export const PROFILES: Record<string, CostMatrix> = {
  standard: { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 },
  reward_low_FP_rate: { tpWeight: 1, fpWeight: 0.22, fnWeight: 1 },
  reward_low_FN_rate: { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 },
};

/** One scored row: its anomaly score, its weight if detected, and the window it falls in. */
interface Row {
  anomalyScore: number;
  /** What detecting this row is worth (positive in a window, negative outside). */
  sweepScore: number;
  /** Index of its window, or -1 outside every window. Probation rows are not kept. */
  window: number;
}

/** The score of a file at one threshold (every row with anomaly score >= threshold detected). */
export interface ThresholdScore {
  threshold: number;
  score: number;
  tp: number;
  tn: number;
  fp: number;
  fn: number;
}

/** S(y) = 2·sigmoid(-5y) - 1, and -1 from 3 window widths past a window on. */
export function scaledSigmoid(y: number): number {
  if (y >= 3) return -1;
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

/** Rows of the probation period: the first 15% of the file, at most 750. */
export function probationLength(rows: number, probationPercent = 0.15): number {
  return Math.min(Math.floor(probationPercent * rows), probationPercent * 5000);
}

/**
 * Weighs every row of a file as a potential detection: inside a window by how early it is
 * (the window's first row is worth tpWeight), outside by the scaled distance after the previous
 * window (-fpWeight when no window came before).
 */
function sweep(
  timestamps: readonly number[],
  scores: readonly number[],
  windows: readonly (readonly [number, number])[],
  cost: CostMatrix,
  probationPercent: number,
): Row[] {
  const index = new Map<number, number>();
  timestamps.forEach((t, i) => {
    if (!index.has(t)) index.set(t, i);
  });
  const bounds = windows.map(([start, end]) => {
    const left = index.get(start);
    const right = index.get(end);
    if (left === undefined || right === undefined) {
      throw new Error(`a window edge is not a timestamp of the file: ${new Date(start).toISOString()}`);
    }
    return { left, right };
  });
  const maxTP = scaledSigmoid(-1);
  const probation = probationLength(timestamps.length, probationPercent);
  const rows: Row[] = [];
  let w = 0;
  let inWindow = false;
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < timestamps.length; i++) {
    const b = bounds[w];
    if (!inWindow && b && i === b.left) inWindow = true;
    let sweepScore: number;
    const cur = bounds[w];
    if (inWindow && cur) {
      const width = cur.right - cur.left + 1;
      sweepScore = (scaledSigmoid(-(cur.right - i + 1) / width) * cost.tpWeight) / maxTP;
    } else {
      const y = prevRight < 0 ? 3 : Math.abs(prevRight - i) / (prevWidth - 1);
      sweepScore = scaledSigmoid(y) * cost.fpWeight;
    }
    if (i >= probation) rows.push({ anomalyScore: scores[i] ?? 0, sweepScore, window: inWindow ? w : -1 });
    if (inWindow && cur && i === cur.right) {
      prevRight = i;
      prevWidth = cur.right - cur.left + 1;
      inWindow = false;
      w++;
    }
  }
  return rows;
}

/**
 * The file's score at every distinct threshold, highest first: for threshold t, every row with
 * anomaly score >= t is a detection. A window's part is -fnWeight until detected, then the best
 * (earliest) detection's weight; detections outside windows add their (negative) weight.
 */
export function scoresByThreshold(
  timestamps: readonly number[],
  scores: readonly number[],
  windows: readonly (readonly [number, number])[],
  cost: CostMatrix,
  probationPercent = 0.15,
): ThresholdScore[] {
  const rows = sweep(timestamps, scores, windows, cost, probationPercent).sort(
    (a, b) => b.anomalyScore - a.anomalyScore,
  );
  const windowParts = new Map<number, number>();
  for (const r of rows) if (r.window >= 0) windowParts.set(r.window, -cost.fnWeight);
  let windowSum = -cost.fnWeight * windowParts.size;
  let fpSum = 0;
  let tn = rows.filter((r) => r.window < 0).length;
  let fn = rows.length - tn;
  let tp = 0;
  let fp = 0;
  const out: ThresholdScore[] = [];
  let current = 1.1;
  for (const r of rows) {
    if (r.anomalyScore !== current) {
      out.push({ threshold: current, score: windowSum + fpSum, tp, tn, fp, fn });
      current = r.anomalyScore;
    }
    if (r.window >= 0) {
      tp++;
      fn--;
      const before = windowParts.get(r.window) ?? -cost.fnWeight;
      if (r.sweepScore > before) {
        windowParts.set(r.window, r.sweepScore);
        windowSum += r.sweepScore - before;
      }
    } else {
      fp++;
      tn--;
      fpSum += r.sweepScore;
    }
  }
  out.push({ threshold: current, score: windowSum + fpSum, tp, tn, fp, fn });
  return out;
}

/** The file's score at `threshold`: the row for the lowest listed threshold >= it. */
export function scoreAt(table: readonly ThresholdScore[], threshold: number): ThresholdScore {
  let match = table[0] as ThresholdScore;
  for (const row of table) {
    if (row.threshold < threshold) break;
    match = row;
  }
  return match;
}

/**
 * The threshold that maximises the corpus score (the sum over files), searched exactly over every
 * anomaly score that occurs, with the corpus score at it.
 */
export function optimizeThreshold(tables: readonly (readonly ThresholdScore[])[]): {
  threshold: number;
  score: number;
} {
  // The corpus score is a sum of step functions of the threshold: as it falls past a file's
  // listed threshold, that file's score changes by a known step. One sort of every step, then a
  // running sum, gives the corpus score at every candidate.
  let total = 0;
  const steps: { threshold: number; delta: number }[] = [];
  let top = -Infinity;
  for (const t of tables) {
    const first = t[0];
    if (!first) continue;
    total += first.score;
    top = Math.max(top, first.threshold);
    for (let k = 1; k < t.length; k++) {
      const row = t[k] as ThresholdScore;
      steps.push({ threshold: row.threshold, delta: row.score - (t[k - 1] as ThresholdScore).score });
    }
  }
  steps.sort((a, b) => b.threshold - a.threshold);
  let best = { threshold: top === -Infinity ? 1.1 : top, score: total };
  for (let k = 0; k < steps.length;) {
    const threshold = (steps[k] as { threshold: number }).threshold;
    while (k < steps.length && (steps[k] as { threshold: number }).threshold === threshold) {
      total += (steps[k] as { delta: number }).delta;
      k++;
    }
    if (total > best.score) best = { threshold, score: total };
  }
  return best;
}

/** NAB's normalised score: 100·(S - S_null)/(S_perfect - S_null), S_perfect = windows · tpWeight. */
export function normalisedScore(score: number, nullScore: number, windows: number, cost: CostMatrix): number {
  return (100 * (score - nullScore)) / (windows * cost.tpWeight - nullScore);
}
