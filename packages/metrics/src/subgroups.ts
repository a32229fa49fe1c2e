/**
 * Fairness across subgroups: accuracy per subgroup, the worst-group accuracy and the gap between the best and the
 * worst group (the measures of Amini et al., AIES 2019, and of group-robustness work such as Sagawa et al., ICLR
 * 2020), and which training examples a resampling upweighted.
 */
import { assertInteger, assertSameLength } from './checks';

export interface SubgroupAccuracyOptions {
  /** Names of groups 0, 1, ...; also fixes the number of groups (default: the largest group id + 1). */
  groupNames?: readonly string[];
}

export interface GroupAccuracy {
  group: number;
  name: string;
  /** Examples in the group. */
  count: number;
  /** Of them, predicted correctly. */
  correct: number;
  /** correct / count; NaN for an empty group. */
  accuracy: number;
}

export interface SubgroupAccuracy {
  /** One entry per group, in group order. */
  groups: GroupAccuracy[];
  /** Accuracy over all examples. */
  overall: number;
  /** Mean of the non-empty groups' accuracies (balanced accuracy over groups). */
  meanGroupAccuracy: number;
  /** The non-empty group with the lowest accuracy (the first one on ties). */
  worstGroup: number;
  worstAccuracy: number;
  /** The non-empty group with the highest accuracy. */
  bestGroup: number;
  bestAccuracy: number;
  /** bestAccuracy - worstAccuracy. */
  gap: number;
}

function integers(where: string, name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isInteger(values[i])) {
      throw new Error(`${where}: ${name}[${i}] is ${values[i]}; pass integers (class or group indices).`);
    }
  }
}

/**
 * Accuracy of `predictions` against `targets` (integer classes, one per example) within each subgroup (`groups`,
 * integer ids >= 0, one per example), the worst and best group and their gap. Groups without examples are listed
 * with accuracy NaN and left out of the worst, best and mean.
 */
export function subgroupAccuracy(
  predictions: ArrayLike<number>,
  targets: ArrayLike<number>,
  groups: ArrayLike<number>,
  options: SubgroupAccuracyOptions = {},
): SubgroupAccuracy {
  const where = 'subgroupAccuracy';
  assertSameLength(where, 'predictions and targets', predictions.length, targets.length);
  assertSameLength(where, 'predictions and groups', predictions.length, groups.length);
  if (predictions.length < 1) throw new Error(`${where}: no examples; pass at least one prediction.`);
  integers(where, 'predictions', predictions);
  integers(where, 'targets', targets);
  integers(where, 'groups', groups);
  let largest = -1;
  for (let i = 0; i < groups.length; i++) {
    if (groups[i] < 0) throw new Error(`${where}: groups[${i}] is ${groups[i]}; group ids must be >= 0.`);
    largest = Math.max(largest, groups[i]);
  }
  const names = options.groupNames;
  if (names && largest >= names.length) {
    throw new Error(
      `${where}: group id ${largest} has no name (groupNames has ${names.length}); pass one name per group.`,
    );
  }
  const groupCount = names ? names.length : largest + 1;
  const counts = new Float64Array(groupCount);
  const correct = new Float64Array(groupCount);
  let allCorrect = 0;
  for (let i = 0; i < predictions.length; i++) {
    const hit = predictions[i] === targets[i] ? 1 : 0;
    counts[groups[i]] += 1;
    correct[groups[i]] += hit;
    allCorrect += hit;
  }
  const result: GroupAccuracy[] = [];
  let worstGroup = -1;
  let bestGroup = -1;
  let sum = 0;
  let present = 0;
  for (let g = 0; g < groupCount; g++) {
    const accuracy = counts[g] > 0 ? correct[g] / counts[g] : Number.NaN;
    result.push({ group: g, name: names?.[g] ?? String(g), count: counts[g], correct: correct[g], accuracy });
    if (counts[g] === 0) continue;
    sum += accuracy;
    present += 1;
    if (worstGroup < 0 || accuracy < result[worstGroup].accuracy) worstGroup = g;
    if (bestGroup < 0 || accuracy > result[bestGroup].accuracy) bestGroup = g;
  }
  const worstAccuracy = result[worstGroup].accuracy;
  const bestAccuracy = result[bestGroup].accuracy;
  return {
    groups: result,
    overall: allCorrect / predictions.length,
    meanGroupAccuracy: sum / present,
    worstGroup,
    worstAccuracy,
    bestGroup,
    bestAccuracy,
    gap: bestAccuracy - worstAccuracy,
  };
}

export interface UpweightedExamples {
  /** Indices of the `k` largest weights, largest first (ties: lower index first). */
  indices: Int32Array;
  /** Their weights. */
  weights: Float64Array;
  /** Their weights relative to the mean weight (1 = no upweighting). */
  ratios: Float64Array;
  /** When groups were given: how many of the k fall in each group. */
  groupCounts?: number[];
  /** When groups were given: each group's share of the total weight, against its share of the examples. */
  groupWeightShares?: Array<{ group: number; weightShare: number; exampleShare: number }>;
}

/**
 * The training examples a resampling upweighted most: the top `k` by weight, how far above the mean weight they
 * are, and (with `groups`) which subgroups they and the total weight fall in.
 */
export function upweightedExamples(
  weights: ArrayLike<number>,
  k: number,
  options: { groups?: ArrayLike<number> } = {},
): UpweightedExamples {
  const where = 'upweightedExamples';
  const n = weights.length;
  if (n < 1) throw new Error(`${where}: weights is empty; pass one weight per training example.`);
  assertInteger(where, 'k', k, 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (!(weights[i] >= 0) || !Number.isFinite(weights[i])) {
      throw new Error(`${where}: weights[${i}] is ${weights[i]}; weights must be finite and >= 0.`);
    }
    total += weights[i];
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => weights[b] - weights[a] || a - b);
  const top = order.slice(0, Math.min(k, n));
  const mean = total / n;
  const result: UpweightedExamples = {
    indices: Int32Array.from(top),
    weights: Float64Array.from(top, (i) => weights[i]),
    ratios: Float64Array.from(top, (i) => (mean > 0 ? weights[i] / mean : Number.NaN)),
  };
  const groups = options.groups;
  if (groups) {
    assertSameLength(where, 'weights and groups', n, groups.length);
    integers(where, 'groups', groups);
    let largest = 0;
    for (let i = 0; i < n; i++) {
      if (groups[i] < 0) throw new Error(`${where}: groups[${i}] is ${groups[i]}; group ids must be >= 0.`);
      largest = Math.max(largest, groups[i]);
    }
    const counts = new Array<number>(largest + 1).fill(0);
    for (const i of top) counts[groups[i]] += 1;
    const weightSums = new Float64Array(largest + 1);
    const exampleCounts = new Float64Array(largest + 1);
    for (let i = 0; i < n; i++) {
      weightSums[groups[i]] += weights[i];
      exampleCounts[groups[i]] += 1;
    }
    result.groupCounts = counts;
    result.groupWeightShares = Array.from({ length: largest + 1 }, (_, g) => ({
      group: g,
      weightShare: total > 0 ? weightSums[g] / total : Number.NaN,
      exampleShare: exampleCounts[g] / n,
    }));
  }
  return result;
}
