/**
 * Anomaly-detection measures from per-example scores (higher = more anomalous) and binary labels (1 or true =
 * anomaly, the positive class; 0 or false = normal). Plain arrays in, plain numbers out: read tensors with
 * `await scores.data()` first.
 */
import type { RocCurve } from '@vae/core';
import { assertFinite, assertInRange, assertSameLength } from './checks';

/** Labels as numbers (0 or 1) or booleans. */
export type BinaryLabels = ArrayLike<number | boolean>;

interface Checked {
  scores: ArrayLike<number>;
  positive: Uint8Array;
  positives: number;
  negatives: number;
}

function check(where: string, scores: ArrayLike<number>, labels: BinaryLabels): Checked {
  assertSameLength(where, 'scores and labels', scores.length, labels.length);
  assertFinite(where, 'scores', scores);
  const positive = new Uint8Array(labels.length);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label === 1 || label === true) {
      positive[i] = 1;
      positives += 1;
    } else if (label !== 0 && label !== false) {
      throw new Error(
        `${where}: labels[${i}] is ${label}; labels must be 1 (anomaly) or 0 (normal), or booleans.`,
      );
    }
  }
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new Error(
      `${where}: the labels hold a single class (${positives} anomalies, ${negatives} normal examples); ` +
        'the measure needs both.',
    );
  }
  return { scores, positive, positives, negatives };
}

/** Indices sorted by score, highest first. */
function descending(scores: ArrayLike<number>): Int32Array {
  const order = new Int32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => scores[b] - scores[a]);
}

/**
 * Area under the ROC curve: the probability that a random anomaly scores above a random normal example, ties
 * counting one half. Computed as the Mann-Whitney U statistic with average ranks for tied scores, O(n log n).
 */
export function auroc(scores: ArrayLike<number>, labels: BinaryLabels): number {
  const { positive, positives, negatives } = check('auroc', scores, labels);
  const order = descending(scores).reverse();
  let positiveRankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && scores[order[end]] === scores[order[start]]) end++;
    const averageRank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) if (positive[order[i]]) positiveRankSum += averageRank;
    start = end;
  }
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The ROC curve's type lives in `@vae/core` (viz draws it too); re-exported here, where `rocCurve` makes it. */
export type { RocCurve };

/** The ROC curve's points, one per distinct score (tied scores move together), starting at (0, 0). */
export function rocCurve(scores: ArrayLike<number>, labels: BinaryLabels): RocCurve {
  const { positive, positives, negatives } = check('rocCurve', scores, labels);
  const order = descending(scores);
  const falsePositiveRate = [0];
  const truePositiveRate = [0];
  const thresholds = [Number.POSITIVE_INFINITY];
  let truePositives = 0;
  let falsePositives = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end < order.length && scores[order[end]] === scores[order[start]]) {
      if (positive[order[end]]) truePositives += 1;
      else falsePositives += 1;
      end++;
    }
    falsePositiveRate.push(falsePositives / negatives);
    truePositiveRate.push(truePositives / positives);
    thresholds.push(scores[order[start]]);
    start = end;
  }
  return {
    falsePositiveRate: Float64Array.from(falsePositiveRate),
    truePositiveRate: Float64Array.from(truePositiveRate),
    thresholds: Float64Array.from(thresholds),
  };
}

/**
 * Area under the precision-recall curve as average precision: sum over thresholds of (R_n - R_{n-1}) P_n, with
 * tied scores forming one threshold (the step-wise definition scikit-learn uses; no interpolation).
 */
export function auprc(scores: ArrayLike<number>, labels: BinaryLabels): number {
  const { positive, positives } = check('auprc', scores, labels);
  const order = descending(scores);
  let truePositives = 0;
  let flagged = 0;
  let previousRecall = 0;
  let area = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end < order.length && scores[order[end]] === scores[order[start]]) {
      if (positive[order[end]]) truePositives += 1;
      flagged += 1;
      end++;
    }
    const recall = truePositives / positives;
    area += (recall - previousRecall) * (truePositives / flagged);
    previousRecall = recall;
    start = end;
  }
  return area;
}

export interface OperatingPoint {
  /** Flag an example as anomalous when its score >= threshold (+Infinity flags nothing). */
  threshold: number;
  /** The false positive rate on the given data at this threshold (<= the target). */
  falsePositiveRate: number;
  /** The true positive rate (recall) on the given data at this threshold. */
  truePositiveRate: number;
}

/**
 * The lowest threshold whose false positive rate on the given data does not exceed `targetRate` (e.g. 0.05), and
 * the true positive rate it reaches: the operating point with the most recall at that false-alarm budget.
 */
export function thresholdAtFalsePositiveRate(
  scores: ArrayLike<number>,
  labels: BinaryLabels,
  targetRate: number,
): OperatingPoint {
  assertInRange('thresholdAtFalsePositiveRate', 'targetRate', targetRate, 0, 1);
  const curve = rocCurve(scores, labels);
  let best = 0;
  for (let i = 1; i < curve.thresholds.length; i++) {
    if (curve.falsePositiveRate[i] <= targetRate + 1e-12) best = i;
  }
  return {
    threshold: curve.thresholds[best],
    falsePositiveRate: curve.falsePositiveRate[best],
    truePositiveRate: curve.truePositiveRate[best],
  };
}

export interface AnomalyReport {
  auroc: number;
  auprc: number;
  /** The operating point at the requested false positive rate. */
  operatingPoint: OperatingPoint;
  roc: RocCurve;
}

/** AUROC, AUPRC, the ROC curve and the threshold at `falsePositiveRate` (default 0.05) in one call. */
export function anomalyReport(
  scores: ArrayLike<number>,
  labels: BinaryLabels,
  options: { falsePositiveRate?: number } = {},
): AnomalyReport {
  return {
    auroc: auroc(scores, labels),
    auprc: auprc(scores, labels),
    operatingPoint: thresholdAtFalsePositiveRate(scores, labels, options.falsePositiveRate ?? 0.05),
    roc: rocCurve(scores, labels),
  };
}
