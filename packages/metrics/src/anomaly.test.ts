import { describe, expect, it } from 'vitest';
import { anomalyReport, auprc, auroc, rocCurve, thresholdAtFalsePositiveRate } from './anomaly';

/** AUROC by brute force over all anomaly-normal pairs, ties counting 1/2. */
function pairwise(scores: number[], labels: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    for (let j = 0; j < scores.length; j++) {
      if (labels[i] !== 1 || labels[j] !== 0) continue;
      pairs += 1;
      wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

describe('auroc', () => {
  it('matches hand-computed values', () => {
    // The scikit-learn documentation's example: 0.75.
    expect(auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    expect(auroc([1, 2, 3, 4], [0, 0, 1, 1])).toBe(1);
    expect(auroc([4, 3, 2, 1], [0, 0, 1, 1])).toBe(0);
    expect(auroc([0, 1], [false, true])).toBe(1);
  });

  it('counts ties as one half (Mann-Whitney average ranks)', () => {
    // Pairs: (1 vs 1) 1/2, (1 vs 2) 0, (2 vs 1) 1, (2 vs 2) 1/2: 2 / 4.
    expect(auroc([1, 1, 2, 2], [0, 1, 0, 1])).toBe(0.5);
    // The normal example ties two anomalies (1/2 each) and loses to the third: 2 / 3.
    expect(auroc([0.5, 0.5, 0.5, 0.9], [0, 1, 1, 1])).toBeCloseTo(2 / 3, 12);
    expect(auroc([3, 3, 3, 3], [0, 1, 0, 1])).toBe(0.5);
    const scores = [1, 2, 2, 3, 3, 3, 5, 1, 2, 4, 4, 0];
    const labels = [0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1];
    expect(auroc(scores, labels)).toBeCloseTo(pairwise(scores, labels), 12);
  });

  it('rejects mismatched lengths, a single class, bad labels and non-finite scores', () => {
    expect(() => auroc([1, 2, 3], [0, 1])).toThrow(/different lengths \(3 and 2\)/);
    expect(() => auroc([1, 2], [1, 1])).toThrow(/single class/);
    expect(() => auroc([1, 2], [0, 0])).toThrow(/single class/);
    expect(() => auroc([1, 2], [0, 2])).toThrow(/labels\[1\] is 2/);
    expect(() => auroc([1, Number.NaN], [0, 1])).toThrow(/scores\[1\] is NaN/);
    expect(() => auroc([1, Number.POSITIVE_INFINITY], [0, 1])).toThrow(/finite/);
  });
});

describe('auprc', () => {
  it('matches hand-computed average precision, ties grouped', () => {
    // scikit-learn's example: (1/2)(1) + (1/2)(2/3) = 0.8333.
    expect(auprc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.8333333333, 9);
    // Thresholds 0.9 (P 1, R 1/3) and 0.5 (P 3/4, R 1): 1/3 + (2/3)(3/4).
    expect(auprc([0.5, 0.5, 0.5, 0.9], [0, 1, 1, 1])).toBeCloseTo(1 / 3 + 0.5, 12);
    // All tied: one threshold, precision = prevalence.
    expect(auprc([1, 1, 1, 1], [1, 0, 0, 0])).toBeCloseTo(0.25, 12);
    expect(auprc([1, 2, 3], [0, 1, 1])).toBe(1);
    expect(() => auprc([1], [1])).toThrow(/single class/);
  });
});

describe('rocCurve and thresholdAtFalsePositiveRate', () => {
  const scores = [0.1, 0.4, 0.35, 0.8, 0.4];
  const labels = [0, 0, 1, 1, 1];

  it('lists one point per distinct score from (0, 0) to (1, 1)', () => {
    const curve = rocCurve(scores, labels);
    expect(Array.from(curve.thresholds)).toEqual([Number.POSITIVE_INFINITY, 0.8, 0.4, 0.35, 0.1]);
    expect(Array.from(curve.falsePositiveRate)).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(Array.from(curve.truePositiveRate)).toEqual([0, 1 / 3, 2 / 3, 1, 1]);
    // The trapezoid area under these points is the AUROC.
    let area = 0;
    for (let i = 1; i < curve.thresholds.length; i++) {
      area +=
        ((curve.falsePositiveRate[i] - curve.falsePositiveRate[i - 1]) *
          (curve.truePositiveRate[i] + curve.truePositiveRate[i - 1])) /
        2;
    }
    expect(area).toBeCloseTo(auroc(scores, labels), 12);
  });

  it('picks the lowest threshold within the false-positive budget', () => {
    expect(thresholdAtFalsePositiveRate(scores, labels, 0)).toEqual({
      threshold: 0.8,
      falsePositiveRate: 0,
      truePositiveRate: 1 / 3,
    });
    expect(thresholdAtFalsePositiveRate(scores, labels, 0.5)).toEqual({
      threshold: 0.35,
      falsePositiveRate: 0.5,
      truePositiveRate: 1,
    });
    expect(thresholdAtFalsePositiveRate(scores, labels, 1).threshold).toBe(0.1);
    // Nothing can be flagged without a false alarm when the top score is normal.
    expect(thresholdAtFalsePositiveRate([3, 1, 2], [0, 1, 1], 0).threshold).toBe(Number.POSITIVE_INFINITY);
    expect(() => thresholdAtFalsePositiveRate(scores, labels, 1.5)).toThrow(
      /targetRate must be a number in \[0, 1\]/,
    );
  });

  it('bundles everything in anomalyReport', () => {
    const report = anomalyReport(scores, labels, { falsePositiveRate: 0.5 });
    expect(report.auroc).toBeCloseTo(auroc(scores, labels), 12);
    expect(report.auprc).toBeCloseTo(auprc(scores, labels), 12);
    expect(report.operatingPoint.threshold).toBe(0.35);
    expect(report.roc.thresholds).toHaveLength(5);
  });
});
