import type { BatchSource } from '@vae/core';
import { expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { BIASED_SHAPES_SUBGROUPS, biasedShapes } from './biased-shapes';

const count = (groups: Uint8Array, g: number) => groups.filter((x) => x === g).length;
const mean = (values: Float32Array, start: number, length: number) => {
  let sum = 0;
  for (let i = start; i < start + length; i++) sum += values[i];
  return sum / length;
};

describe('biasedShapes', () => {
  const data = biasedShapes({ trainSize: 400, testSize: 200, imageSize: 16, seed: 3, rareFraction: 0.05 });

  it('has the rare subgroup at a few percent of training positives and half of test positives', () => {
    const { train, test } = data;
    expect(
      count(train.groups, BIASED_SHAPES_SUBGROUPS.positiveCommon) +
        count(train.groups, BIASED_SHAPES_SUBGROUPS.positiveRare),
    ).toBe(200);
    expect(count(train.groups, BIASED_SHAPES_SUBGROUPS.positiveRare)).toBe(10);
    expect(count(train.groups, BIASED_SHAPES_SUBGROUPS.negativeRare)).toBe(100);
    for (let g = 0; g < 4; g++) expect(count(test.groups, g)).toBe(50);
    for (let i = 0; i < train.size; i++) expect(train.labels[i]).toBe(train.groups[i] <= 1 ? 1 : 0);
    expect(data.groupNames).toEqual(['heart', 'heart (inverted)', 'not heart', 'not heart (inverted)']);
    expect(data.seed).toBe(3);
  });

  it('draws inverted examples on a light background and common ones on a dark one', () => {
    const { values, groups } = data.train;
    for (let i = 0; i < groups.length; i++) {
      const background = mean(values, i * 256, 256);
      if (
        groups[i] === BIASED_SHAPES_SUBGROUPS.positiveRare ||
        groups[i] === BIASED_SHAPES_SUBGROUPS.negativeRare
      )
        expect(background).toBeGreaterThan(0.6);
      else expect(background).toBeLessThan(0.4);
    }
  });

  it('is reproducible from its seed and differs across seeds', () => {
    const again = biasedShapes({ trainSize: 400, testSize: 200, imageSize: 16, seed: 3, rareFraction: 0.05 });
    expect(again.train.values).toEqual(data.train.values);
    expect(again.test.groups).toEqual(data.test.groups);
    const other = biasedShapes({ trainSize: 400, testSize: 200, imageSize: 16, seed: 4, rareFraction: 0.05 });
    expect(other.train.values).not.toEqual(data.train.values);
  });

  it('draws small sprites for the small attribute', () => {
    const small = biasedShapes({
      trainSize: 200,
      testSize: 40,
      imageSize: 32,
      rareAttribute: 'small',
      seed: 1,
    });
    let rareInk = 0;
    let commonInk = 0;
    for (let i = 0; i < small.test.size; i++) {
      const ink = mean(small.test.values, i * 1024, 1024);
      if (small.test.groups[i] % 2 === 1) rareInk += ink;
      else commonInk += ink;
    }
    expect(rareInk).toBeLessThan(commonInk / 2);
  });

  it('is a BatchSource of [n, size, size, 1] images without leaks', async () => {
    const source: BatchSource = data.test;
    await expectNoLeaks(() => {
      const x = source.batch([0, 5, 7]);
      expect(x.shape).toEqual([3, 16, 16, 1]);
      expect(Array.from(x.dataSync().slice(0, 256))).toEqual(Array.from(data.test.values.slice(0, 256)));
      x.dispose();
    });
  });

  it('refuses bad options with the name of the option', () => {
    expect(() => biasedShapes({ rareFraction: 0 })).toThrow(/rareFraction must be a number in \(0, 1\)/);
    expect(() => biasedShapes({ negativeRareFraction: 2 })).toThrow(/negativeRareFraction/);
    expect(() => biasedShapes({ imageSize: 20 })).toThrow(/imageSize must be 16, 32 or 64/);
    expect(() => biasedShapes({ trainSize: 2.5 })).toThrow(/trainSize must be an integer/);
    expect(() => biasedShapes({ rareAttribute: 'blue' as 'small' })).toThrow(/rareAttribute/);
    expect(() => biasedShapes({ targetShape: 'star' as 'heart' })).toThrow(/targetShape must be one of/);
    expect(() => biasedShapes({ seed: Number.NaN })).toThrow(/seed/);
    expect(() => biasedShapes({ rotate: 'yes' as unknown as boolean })).toThrow(
      /rotate must be true or false/,
    );
  });
});
