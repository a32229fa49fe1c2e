/** The page's small pure helpers, in Node: the map's square and grid lines, arrow keys, latest-only decoding. */
import { describe, expect, it } from 'vitest';
import { arrowMove, coveringRange, mapRange, tickStep } from '../src/latent-map';
import { latestOnly } from '../src/latest-only';

/** Codes on the diagonal z = (v, -v) for each value. */
const codesOf = (values: number[]) => ({
  latentDim: 2,
  count: values.length,
  labels: values.map(() => 0),
  means: values.flatMap((v) => [v, -v]),
});

describe('the latent map', () => {
  it('spaces grid lines 1 apart on the prior scale, and at 1, 2 or 5 x 10^k about 4 a side beyond', () => {
    expect([2.5, 4, 6].map(tickStep)).toEqual([1, 1, 1]);
    expect([7, 8.5, 20, 40, 130].map(tickStep)).toEqual([2, 5, 5, 10, 50]);
  });

  it('covers the given share of the codes with a tidy half-width, whatever their scale', () => {
    // 1..100: the 99 % quantile of |z| is 99 (index 0.99 * 199 of the 200 magnitudes), rounded up to half a grid
    // step (grid lines 50 apart there): 100
    const wide = codesOf(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(coveringRange(wide, 0.99)).toBe(100);
    expect(coveringRange(wide, 0.5)).toBe(50);
    // the prior's scale rounds up to halves
    expect(coveringRange(codesOf([0.3, -1.2, 2.2]), 1)).toBe(2.5);
    expect(coveringRange(codesOf([]))).toBe(3);
    // the explorer's range stays within [2.5, 5]
    expect(mapRange(wide)).toBe(5);
  });

  it('moves by arrow keys, up being +z2, and ignores other keys', () => {
    expect(arrowMove('ArrowUp', 0.5)).toEqual([0, 0.5]);
    expect(arrowMove('ArrowLeft', 2)).toEqual([-2, 0]);
    expect(arrowMove('Enter', 1)).toBeUndefined();
    expect(arrowMove('toString', 1)).toBeUndefined();
  });
});

describe('latest-only decoding', () => {
  it('runs the first request and then only the latest of those made meanwhile', async () => {
    const done: number[] = [];
    let release: (() => void) | undefined;
    const runner = latestOnly(
      async (value: number) => {
        if (value === 1) await new Promise<void>((resolve) => (release = resolve));
        done.push(value);
      },
      (error) => {
        throw error;
      },
    );
    runner.request(1);
    runner.request(2);
    runner.request(3);
    runner.request(4);
    await Promise.resolve();
    release!();
    await runner.settled();
    expect(done).toEqual([1, 4]);
    runner.request(5);
    await runner.settled();
    expect(done).toEqual([1, 4, 5]);
  });

  it('hands a failure to onError and keeps working afterwards', async () => {
    const errors: unknown[] = [];
    const done: string[] = [];
    const runner = latestOnly(
      async (value: string) => {
        if (value === 'bad') throw new Error('no');
        done.push(value);
      },
      (error) => errors.push(error),
    );
    runner.request('bad');
    await runner.settled();
    expect(errors).toHaveLength(1);
    runner.request('good');
    await runner.settled();
    expect(done).toEqual(['good']);
  });
});
