import { describe, expect, it } from 'vitest';
import { Random } from './random';

describe('Random', () => {
  it('is reproducible from a seed and differs between seeds', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const sa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('draws uniform numbers in [0, 1) with mean 1/2 and seeds in tfjs range', () => {
    const r = new Random(1);
    let sum = 0;
    for (let i = 0; i < 20000; i++) {
      const v = r.next();
      expect(v >= 0 && v < 1).toBe(true);
      sum += v;
    }
    expect(sum / 20000).toBeCloseTo(0.5, 1);
    const s = r.nextSeed();
    expect(Number.isInteger(s) && s > 0 && s <= 2 ** 31).toBe(true);
  });

  it('shuffles into a permutation and can restore its state', () => {
    const r = new Random(9);
    const state = r.getState();
    const p = r.permutation(100);
    expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    r.setState(state);
    expect(r.permutation(100)).toEqual(p);
  });

  it('rejects a non-finite seed', () => {
    expect(() => new Random(Number.NaN)).toThrow(/finite/);
  });
});
