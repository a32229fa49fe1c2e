import { describe, expect, it } from 'vitest';
import { Random } from './random';
import { densityWeights, weightedSample } from './resampling';

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

describe('densityWeights', () => {
  it('matches the inverse smoothed histogram density by hand (one dimension)', () => {
    // 8 examples in [0, 0.5), 2 in [0.5, 1]; 2 bins of width 0.5: densities 8 / (10 x 0.5) = 1.6 and 0.4
    const values = [0, 0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.45, 0.9, 1];
    const alpha = 0.1;
    const { weights, histograms, logDensity } = densityWeights(
      { values, shape: [10, 1] },
      { bins: 2, alpha },
    );
    expect(Array.from(histograms[0].density)).toEqual([1.6, 0.4]);
    expect(Array.from(histograms[0].edges)).toEqual([0, 0.5, 1]);
    const total = 8 / 1.7 + 2 / 0.5;
    for (let i = 0; i < 8; i++) expect(weights[i]).toBeCloseTo(1 / 1.7 / total, 12);
    for (let i = 8; i < 10; i++) expect(weights[i]).toBeCloseTo(1 / 0.5 / total, 12);
    expect(sum(weights)).toBeCloseTo(1, 12);
    expect(logDensity[9]).toBeCloseTo(Math.log(0.5), 12);
  });

  it('multiplies the per-dimension factors (two dimensions, by hand)', () => {
    // dimension 0: 3 at 0, 1 at 1 (2 bins of width 0.5: densities 1.5, 0.5); dimension 1: 2 at 0, 2 at 4
    // (bins of width 2: densities 0.25, 0.25)
    const values = [0, 0, 0, 4, 0, 4, 1, 0];
    const alpha = 0.5;
    const { weights } = densityWeights({ values, shape: [4, 2] }, { bins: 2, alpha });
    const raw = [1 / (2 * 0.75), 1 / (2 * 0.75), 1 / (2 * 0.75), 1 / (1 * 0.75)];
    const total = sum(raw);
    for (let i = 0; i < 4; i++) expect(weights[i]).toBeCloseTo(raw[i] / total, 12);
  });

  it('approaches 1 / (p(z) + alpha) of a known mixture', () => {
    // 90 % of the codes uniform on [0, 1), 10 % uniform on [1, 2): densities 0.9 and 0.1 exactly in the limit
    const random = new Random(5);
    const n = 20000;
    const values = Float64Array.from({ length: n }, (_, i) => (i < 0.9 * n ? 0 : 1) + random.next());
    const alpha = 0.05;
    const { weights, histograms } = densityWeights({ values, shape: [n, 1] }, { bins: 4, alpha });
    const rare = sum(weights.subarray(0.9 * n));
    // the rare component's share of sampling: 0.1/(0.1+alpha) / (0.9/(0.9+alpha) + 0.1/(0.1+alpha))
    const expected = 0.1 / (0.1 + alpha) / (0.9 / (0.9 + alpha) + 0.1 / (0.1 + alpha));
    expect(rare).toBeCloseTo(expected, 2);
    for (const d of histograms[0].density.subarray(0, 2)) expect(d).toBeCloseTo(0.9, 1);
    for (const d of histograms[0].density.subarray(2)) expect(d).toBeCloseTo(0.1, 1);
  });

  it('is uniform for a large alpha and ignores constant dimensions', () => {
    const values = [0, 3, 0, 3, 1, 3, 5, 3];
    const big = densityWeights({ values, shape: [4, 2] }, { bins: 3, alpha: 1e9 });
    for (const w of big.weights) expect(w).toBeCloseTo(0.25, 6);
    const alone = densityWeights({ values: [0, 0, 1, 5], shape: [4, 1] }, { bins: 3 });
    const withConstant = densityWeights({ values, shape: [4, 2] }, { bins: 3 });
    expect(Array.from(withConstant.weights)).toEqual(Array.from(alone.weights));
  });

  it('refuses bad input naming the problem', () => {
    expect(() => densityWeights({ values: [1, 2, 3], shape: [2, 2] })).toThrow(/do not fill shape/);
    expect(() => densityWeights({ values: [1, Number.NaN], shape: [2, 1] })).toThrow(/finite/);
    expect(() => densityWeights({ values: [1, 2], shape: [2, 1] }, { bins: 0 })).toThrow(/bins/);
    expect(() => densityWeights({ values: [1, 2], shape: [2, 1] }, { alpha: -1 })).toThrow(/alpha/);
    expect(() => densityWeights({ values: [1, 2], shape: [2] })).toThrow(/\[examples, dimensions\]/);
  });
});

describe('weightedSample', () => {
  it('draws each index in proportion to its weight', () => {
    const weights = [1, 0, 3, 6];
    const draws = weightedSample(weights, 50000, 7);
    const counts = [0, 0, 0, 0];
    for (const i of draws) counts[i] += 1;
    expect(counts[1]).toBe(0);
    expect(counts[0] / 50000).toBeCloseTo(0.1, 2);
    expect(counts[2] / 50000).toBeCloseTo(0.3, 2);
    expect(counts[3] / 50000).toBeCloseTo(0.6, 2);
    expect(weightedSample(weights, 10, 7)).toEqual(weightedSample(weights, 10, new Random(7)));
  });

  it('refuses weights that cannot be sampled', () => {
    expect(() => weightedSample([0, 0], 3, 1)).toThrow(/every weight is 0/);
    expect(() => weightedSample([1, -1], 3, 1)).toThrow(/weights\[1\]/);
    expect(() => weightedSample([], 3, 1)).toThrow(/empty/);
    expect(() => weightedSample([1], 1.5, 1)).toThrow(/count/);
  });
});
