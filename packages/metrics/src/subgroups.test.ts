import { describe, expect, it } from 'vitest';
import { subgroupAccuracy, upweightedExamples } from './subgroups';

describe('subgroupAccuracy', () => {
  // group 0: 4 examples, 3 right; group 1: 2 examples, 0 right; group 2: 3 examples, 3 right
  const targets = [1, 1, 1, 1, 1, 1, 0, 0, 0];
  const predictions = [1, 1, 1, 0, 0, 0, 0, 0, 0];
  const groups = [0, 0, 0, 0, 1, 1, 2, 2, 2];

  it('gives accuracy per group, the worst group and the gap on hand-made predictions', () => {
    const r = subgroupAccuracy(predictions, targets, groups, { groupNames: ['a', 'b', 'c', 'empty'] });
    expect(r.groups.map((g) => g.accuracy).slice(0, 3)).toEqual([0.75, 0, 1]);
    expect(r.groups.map((g) => g.count)).toEqual([4, 2, 3, 0]);
    expect(r.groups[3].accuracy).toBeNaN();
    expect(r.groups[1].name).toBe('b');
    expect(r.overall).toBeCloseTo(6 / 9, 12);
    expect(r.meanGroupAccuracy).toBeCloseTo(1.75 / 3, 12);
    expect(r.worstGroup).toBe(1);
    expect(r.worstAccuracy).toBe(0);
    expect(r.bestGroup).toBe(2);
    expect(r.gap).toBe(1);
  });

  it('names groups by number without names, and gap 0 for one group', () => {
    const r = subgroupAccuracy([1, 0], [1, 1], [0, 0]);
    expect(r.groups).toEqual([{ group: 0, name: '0', count: 2, correct: 1, accuracy: 0.5 }]);
    expect(r.gap).toBe(0);
  });

  it('refuses mismatched or non-integer input', () => {
    expect(() => subgroupAccuracy([1], [1, 0], [0, 0])).toThrow(/different lengths/);
    expect(() => subgroupAccuracy([0.5], [1], [0])).toThrow(/predictions\[0\] is 0.5/);
    expect(() => subgroupAccuracy([1], [1], [-1])).toThrow(/group ids must be >= 0/);
    expect(() => subgroupAccuracy([1], [1], [2], { groupNames: ['a'] })).toThrow(/has no name/);
    expect(() => subgroupAccuracy([], [], [])).toThrow(/no examples/);
  });
});

describe('upweightedExamples', () => {
  it('returns the top k by weight with their ratio to the mean and group shares', () => {
    const weights = [0.1, 0.4, 0.1, 0.3, 0.1];
    const r = upweightedExamples(weights, 2, { groups: [0, 1, 0, 1, 0] });
    expect(Array.from(r.indices)).toEqual([1, 3]);
    expect(Array.from(r.weights)).toEqual([0.4, 0.3]);
    expect(r.ratios[0]).toBeCloseTo(2, 12);
    expect(r.ratios[1]).toBeCloseTo(1.5, 12);
    expect(r.groupCounts).toEqual([0, 2]);
    expect(r.groupWeightShares?.[1].weightShare).toBeCloseTo(0.7, 12);
    expect(r.groupWeightShares?.[1].exampleShare).toBeCloseTo(0.4, 12);
  });

  it('breaks ties by index and caps k at the number of examples', () => {
    const r = upweightedExamples([1, 2, 2, 1], 10);
    expect(Array.from(r.indices)).toEqual([1, 2, 0, 3]);
    expect(r.groupCounts).toBeUndefined();
  });

  it('refuses bad weights and k', () => {
    expect(() => upweightedExamples([], 1)).toThrow(/empty/);
    expect(() => upweightedExamples([1, Number.NaN], 1)).toThrow(/weights\[1\]/);
    expect(() => upweightedExamples([1], 0)).toThrow(/k must be an integer/);
    expect(() => upweightedExamples([1, 2], 1, { groups: [0] })).toThrow(/different lengths/);
  });
});
