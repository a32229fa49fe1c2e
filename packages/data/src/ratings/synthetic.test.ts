import { describe, expect, it } from 'vitest';
import { syntheticRatings } from './synthetic';

describe('syntheticRatings', () => {
  it('is reproducible from its seed, in the scale, with the asked-for number of ratings per user', () => {
    const a = syntheticRatings({ users: 50, items: 40, density: 0.25, seed: 3 });
    const b = syntheticRatings({ users: 50, items: 40, density: 0.25, seed: 3 });
    const c = syntheticRatings({ users: 50, items: 40, density: 0.25, seed: 4 });
    expect(a.size).toBe(50 * 10);
    expect(Array.from(a.ratings)).toEqual(Array.from(b.ratings));
    expect(Array.from(a.items)).toEqual(Array.from(b.items));
    expect(Array.from(a.ratings)).not.toEqual(Array.from(c.ratings));
    expect(a.numUsers).toBe(50);
    for (const r of a.ratings) {
      expect(Number.isInteger(r)).toBe(true);
      expect(r).toBeGreaterThanOrEqual(1);
      expect(r).toBeLessThanOrEqual(5);
    }
    const perUser = new Map<number, Set<number>>();
    for (let k = 0; k < a.size; k++) {
      const seen = perUser.get(a.users[k]) ?? new Set();
      expect(seen.has(a.items[k])).toBe(false); // no pair twice
      seen.add(a.items[k]);
      perUser.set(a.users[k], seen);
    }
    expect([...perUser.values()].every((s) => s.size === 10)).toBe(true);
  });

  it('makes popular items popular (Zipf) and none of them with popularity 0', () => {
    const counts = (popularity: number) => {
      const set = syntheticRatings({ users: 400, items: 50, density: 0.1, popularity, seed: 1 });
      const n = new Array<number>(set.numItems).fill(0);
      for (const i of set.items) n[i] += 1;
      return n.sort((x, y) => y - x);
    };
    const zipf = counts(1);
    const flat = counts(0);
    // the most rated tenth of the items take far more than a tenth of the ratings with popularity 1
    const topShare = (n: number[]) => n.slice(0, 5).reduce((a, b) => a + b, 0) / n.reduce((a, b) => a + b, 0);
    expect(topShare(zipf)).toBeGreaterThan(0.3);
    expect(topShare(flat)).toBeLessThan(0.15);
  });

  it('holds taste structure: the same user rates like items alike (higher agreement than shuffled ratings)', () => {
    const set = syntheticRatings({ users: 300, items: 30, rank: 1, density: 0.5, noise: 0.1, seed: 2 });
    // with one taste factor, two items' ratings by the same users correlate (+ or -) far from 0
    const byItem = new Map<number, Map<number, number>>();
    for (let k = 0; k < set.size; k++) {
      const m = byItem.get(set.items[k]) ?? new Map();
      m.set(set.users[k], set.ratings[k]);
      byItem.set(set.items[k], m);
    }
    const correlation = (a: Map<number, number>, b: Map<number, number>) => {
      const shared = [...a.keys()].filter((u) => b.has(u));
      const xs = shared.map((u) => a.get(u) as number);
      const ys = shared.map((u) => b.get(u) as number);
      const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
      const mx = mean(xs);
      const my = mean(ys);
      let sxy = 0;
      let sxx = 0;
      let syy = 0;
      for (let j = 0; j < xs.length; j++) {
        sxy += (xs[j] - mx) * (ys[j] - my);
        sxx += (xs[j] - mx) ** 2;
        syy += (ys[j] - my) ** 2;
      }
      return sxy / Math.sqrt(sxx * syy || 1);
    };
    const items = [...byItem.values()];
    let strong = 0;
    let pairs = 0;
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++) {
        pairs += 1;
        if (Math.abs(correlation(items[i], items[j])) > 0.5) strong += 1;
      }
    }
    expect(strong / pairs).toBeGreaterThan(0.5);
  });

  it('refuses bad options with a message naming them', () => {
    expect(() => syntheticRatings({ users: 0 })).toThrow(/users must be an integer from 1/);
    expect(() => syntheticRatings({ density: 0 })).toThrow(/density must be in \(0, 1\]/);
    expect(() => syntheticRatings({ scale: [5, 1] })).toThrow(/scale must be two integers/);
    expect(() => syntheticRatings({ users: 1_000_000, items: 1_000_000, density: 1 })).toThrow(/50 million/);
  });
});
