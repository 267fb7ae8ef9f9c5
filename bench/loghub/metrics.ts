/**
 * Log-parsing accuracy as defined for Loghub (shared/data/README.md). Every function takes one
 * entry per log line, in the same order: the group (or template) the parser gave the line and
 * the group (or template) of the truth.
 */

/** Line indexes of each group. */
function groups(labels: readonly string[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  labels.forEach((label, i) => {
    const g = out.get(label);
    if (g) g.push(i);
    else out.set(label, [i]);
  });
  return out;
}

/** A parsed group is correct when its lines are exactly the lines of one true group. */
function isCorrectGroup(
  lines: readonly number[],
  truth: readonly string[],
  truthSizes: Map<string, number>,
): boolean {
  const first = truth[lines[0] ?? -1];
  if (first === undefined) return false;
  return lines.every((i) => truth[i] === first) && truthSizes.get(first) === lines.length;
}

function sizes(labels: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of labels) out.set(l, (out.get(l) ?? 0) + 1);
  return out;
}

function check(parsed: readonly string[], truth: readonly string[]): void {
  if (parsed.length !== truth.length) {
    throw new Error(`${parsed.length} parsed labels for ${truth.length} truth labels: one per line each`);
  }
}

function f1(correct: number, parsedGroups: number, trueGroups: number): number {
  if (correct === 0) return 0;
  const p = correct / parsedGroups;
  const r = correct / trueGroups;
  return (2 * p * r) / (p + r);
}

/** Grouping Accuracy: the share of lines whose parsed group holds exactly the lines of their true group. */
export function groupingAccuracy(parsed: readonly string[], truth: readonly string[]): number {
  check(parsed, truth);
  if (truth.length === 0) return 1;
  const truthSizes = sizes(truth);
  let correct = 0;
  for (const lines of groups(parsed).values()) {
    if (isCorrectGroup(lines, truth, truthSizes)) correct += lines.length;
  }
  return correct / truth.length;
}

/** Parsing Accuracy: the share of lines whose parsed template string equals the true template. */
export function parsingAccuracy(
  parsedTemplates: readonly string[],
  trueTemplates: readonly string[],
): number {
  check(parsedTemplates, trueTemplates);
  if (trueTemplates.length === 0) return 1;
  return parsedTemplates.filter((t, i) => t === trueTemplates[i]).length / trueTemplates.length;
}

export interface GroupF1 {
  /** F1 of correct groups over parsed groups and over true groups. */
  fga: number;
  /** The same, where a correct group also needs its template string to equal the true one. */
  fta: number;
  parsedGroups: number;
  trueGroups: number;
  correctGroups: number;
  correctTemplates: number;
}

/**
 * FGA and FTA (Loghub-2.0). `parsedIds` groups lines as the parser did and `parsedTemplates` is
 * the template it gives each line; the truth groups lines by its template string.
 */
export function groupF1(
  parsedIds: readonly string[],
  parsedTemplates: readonly string[],
  trueTemplates: readonly string[],
): GroupF1 {
  check(parsedIds, trueTemplates);
  check(parsedTemplates, trueTemplates);
  const truthSizes = sizes(trueTemplates);
  const parsed = groups(parsedIds);
  let correctGroups = 0;
  let correctTemplates = 0;
  for (const lines of parsed.values()) {
    if (!isCorrectGroup(lines, trueTemplates, truthSizes)) continue;
    correctGroups++;
    const i = lines[0] ?? 0;
    if (parsedTemplates[i] === trueTemplates[i]) correctTemplates++;
  }
  return {
    fga: f1(correctGroups, parsed.size, truthSizes.size),
    fta: f1(correctTemplates, parsed.size, truthSizes.size),
    parsedGroups: parsed.size,
    trueGroups: truthSizes.size,
    correctGroups,
    correctTemplates,
  };
}
