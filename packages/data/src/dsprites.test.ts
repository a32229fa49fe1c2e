import * as tf from '@tensorflow/tfjs-core';
import { type BatchSource, type FactorSource, Random } from '@vae/core';
import { expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import {
  DSPRITES_FACTOR_SIZES,
  DSPRITES_FACTOR_VALUES,
  DSPRITES_SIZE,
  DSprites,
  dspritesFactors,
  dspritesIndex,
  type SpriteParameters,
} from './dsprites';

const data = new DSprites();
// the contracts of @vae/core, checked by the compiler
const asSources: [BatchSource, FactorSource] = [data, data];
const count = (pixels: Float32Array) => pixels.reduce((a, b) => a + b, 0);
const draw = (sprite: SpriteParameters) => data.draw([sprite]);
const at = (row: number, column: number) => row * 64 + column;

/** Centre of mass (column, row) of an image. */
function centroid(pixels: Float32Array): [number, number] {
  let x = 0;
  let y = 0;
  let n = 0;
  for (let i = 0; i < pixels.length; i++) {
    if (!pixels[i]) continue;
    x += (i % 64) + 0.5;
    y += Math.floor(i / 64) + 0.5;
    n++;
  }
  return [x / n, y / n];
}

describe('dSprites factors and indices', () => {
  it('has the original grid and index order', () => {
    expect(asSources[1].factorSizes).toEqual([3, 6, 40, 32, 32]);
    expect(data.size).toBe(737280);
    expect(DSPRITES_FACTOR_SIZES.reduce((a, b) => a * b, 1)).toBe(DSPRITES_SIZE);
    expect(data.factorNames).toEqual(['shape', 'scale', 'orientation', 'posX', 'posY']);
    const v = DSPRITES_FACTOR_VALUES;
    expect(v.orientation.length).toBe(40);
    v.orientation.forEach((value, i) => {
      expect(value).toBe((2 * Math.PI * i) / 39);
    });
    v.posX.forEach((value, i) => {
      expect(value).toBe(i / 31);
    });
    expect(v.scale).toEqual([0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    // posY varies fastest, then posX, orientation, scale, shape
    expect(dspritesIndex([0, 0, 0, 0, 1])).toBe(1);
    expect(dspritesIndex([0, 0, 0, 1, 0])).toBe(32);
    expect(dspritesIndex([0, 0, 1, 0, 0])).toBe(1024);
    expect(dspritesIndex([0, 1, 0, 0, 0])).toBe(40960);
    expect(dspritesIndex([1, 0, 0, 0, 0])).toBe(245760);
    expect(dspritesIndex([2, 5, 39, 31, 31])).toBe(737279);
    expect(data.latentValues([2, 5, 39, 31, 31])).toEqual([1, 3, 1, 2 * Math.PI, 1, 1]);
  });

  it('maps indices to factors and back', () => {
    const random = new Random(3);
    const indices = [0, 1, 31, 32, 1023, 1024, 40959, 40960, 245759, 245760, 737279];
    for (let i = 0; i < 2000; i++) indices.push(random.nextInt(DSPRITES_SIZE));
    for (const index of indices) expect(dspritesIndex(dspritesFactors(index))).toBe(index);
    const factors = data.factorsOf([5000, 700000]);
    expect(factors.map((f) => data.indexOf(f))).toEqual([5000, 700000]);
    expect(() => dspritesIndex([3, 0, 0, 0, 0])).toThrow(/shape index 3 is out of range \[0, 3\)/);
    expect(() => dspritesIndex([0, 0, 0, 0])).toThrow(/5 factor indices/);
    expect(() => dspritesFactors(DSPRITES_SIZE)).toThrow(/out of range/);
    expect(() => data.batch([-1])).toThrow(/out of range/);
  });

  it('labels each image with its shape by default, or another factor', () => {
    expect(data.labels!.length).toBe(DSPRITES_SIZE);
    expect([data.labels![0], data.labels![245760], data.labels![737279]]).toEqual([0, 1, 2]);
    expect(data.classNames).toEqual(['square', 'ellipse', 'heart']);
    const byScale = new DSprites({ labelFactor: 'scale' });
    expect(byScale.labels![dspritesIndex([1, 4, 7, 3, 2])]).toBe(4);
    expect(new DSprites({ labelFactor: null }).labels).toBeUndefined();
    expect(() => new DSprites({ labelFactor: 'colour' as 'shape' })).toThrow(/unknown factor 'colour'/);
  });

  it('samples with one factor fixed, reproducibly', () => {
    const sample = data.sampleFixedFactor('scale', 200, 7);
    expect(sample.factor).toBe(1);
    expect(sample.factors.every((f) => f[1] === sample.value)).toBe(true);
    for (const k of [0, 2, 3, 4]) {
      expect(new Set(sample.factors.map((f) => f[k])).size).toBeGreaterThan(2);
    }
    expect(data.sampleFixedFactor('scale', 200, 7)).toEqual(sample);
    expect(data.sampleFixedFactor(4, 3, new Random(1), 30).factors.every((f) => f[4] === 30)).toBe(true);
    expect(() => data.sampleFixedFactor('posX', 3, 1, 32)).toThrow(/out of range \[0, 32\)/);
    const indices = data.sampleIndices(50, 2);
    expect(Array.from(indices)).toEqual(Array.from(data.sampleIndices(50, 2)));
    expect(indices.every((i) => i >= 0 && i < DSPRITES_SIZE)).toBe(true);
  });
});

describe('dSprites rendering', () => {
  it('renders binary 64x64 images as a BatchSource and a FactorSource, without leaks', async () => {
    const indices = [0, 123456, 737279];
    const batch = data.batch(indices);
    expect(batch.shape).toEqual([3, 64, 64, 1]);
    const values = await batch.data();
    expect(values.every((v) => v === 0 || v === 1)).toBe(true);
    const rendered = data.render(data.factorsOf(indices));
    expect(Array.from(await rendered.data())).toEqual(Array.from(values));
    tf.dispose([batch, rendered]);
    await expectNoLeaks(() => tf.dispose(data.batch([1, 2])), 0);
  });

  it('is deterministic, with these exact pixel counts', () => {
    const indices = [0, 1000, 250000, 500000, 737279, 424242];
    const first = data.batchValues(indices);
    expect(Array.from(new DSprites().batchValues(indices))).toEqual(Array.from(first));
    const counts = indices.map((_, i) => count(first.subarray(i * 4096, (i + 1) * 4096)));
    expect(counts).toEqual([100, 100, 40, 69, 278, 129]);
  });

  it('centres the sprite at its position, inside the frame, rotating clockwise', () => {
    const base = { shape: 0, scale: 1, orientation: 0 };
    const [x0, y0] = centroid(draw({ ...base, posX: 0, posY: 0 }));
    expect(x0).toBeCloseTo(16, 0);
    expect(y0).toBeCloseTo(16, 0);
    const [x1, y1] = centroid(draw({ ...base, posX: 1, posY: 0.5 }));
    expect(x1).toBeCloseTo(48, 0);
    expect(y1).toBeCloseTo(32, 0);
    // one grid step in posX moves the sprite about one pixel right; posY moves it down
    const step = centroid(data.batchValues([dspritesIndex([1, 3, 0, 11, 20])]));
    const next = centroid(data.batchValues([dspritesIndex([1, 3, 0, 12, 20])]));
    expect(next[0] - step[0]).toBeCloseTo(32 / 31, 0);
    expect(next[1]).toBeCloseTo(step[1], 0);
    // nothing is cut off at the corners of the grid, at any orientation
    for (const orientation of [0, 10, 20, 35]) {
      for (const [x, y] of [
        [0, 0],
        [31, 31],
        [0, 31],
      ]) {
        const pixels = data.batchValues([dspritesIndex([0, 5, orientation, x, y])]);
        for (let i = 0; i < 64; i++) {
          expect(pixels[at(0, i)] + pixels[at(63, i)] + pixels[at(i, 0)] + pixels[at(i, 63)]).toBe(0);
        }
      }
    }
    // the heart points down at orientation 0 and, turned a quarter clockwise, to the left
    const heart = { shape: 2, scale: 1, posX: 0.5, posY: 0.5 };
    const [, upright] = centroid(draw({ ...heart, orientation: 0 }));
    expect(upright).toBeLessThan(32); // the lobes (most of the area) are above the centre
    const [turned] = centroid(draw({ ...heart, orientation: Math.PI / 2 }));
    expect(turned).toBeGreaterThan(32); // lobes on the right, point on the left
  });

  it('has plausible areas that grow with scale', () => {
    const size = 20;
    const expected = [1, Math.PI / 8, 0.7055];
    for (let shape = 0; shape < 3; shape++) {
      let previous = 0;
      for (let scale = 0; scale < 6; scale++) {
        const area = count(data.batchValues([dspritesIndex([shape, scale, 0, 16, 16])]));
        expect(area).toBeGreaterThan(previous);
        previous = area;
        const pixels = (size * DSPRITES_FACTOR_VALUES.scale[scale]) ** 2;
        expect(Math.abs(area / (expected[shape] * pixels) - 1)).toBeLessThan(0.08);
      }
    }
    // rotation keeps the area (up to the pixel grid)
    for (let orientation = 0; orientation < 40; orientation += 7) {
      const area = count(data.batchValues([dspritesIndex([0, 5, orientation, 16, 16])]));
      expect(Math.abs(area / 400 - 1)).toBeLessThan(0.06);
    }
  });

  it('has the symmetries of its shapes', () => {
    const centre = { scale: 0.9, posX: 0.5, posY: 0.5 };
    for (const orientation of [0, 0.3, 1.1]) {
      const square = { ...centre, shape: 0, orientation };
      expect(Array.from(draw({ ...square, orientation: orientation + Math.PI / 2 }))).toEqual(
        Array.from(draw(square)),
      );
      const ellipse = { ...centre, shape: 1, orientation };
      expect(Array.from(draw({ ...ellipse, orientation: orientation + Math.PI }))).toEqual(
        Array.from(draw(ellipse)),
      );
    }
    // the upright heart is mirror-symmetric about the vertical line through its centre
    const heart = draw({ ...centre, shape: 2, orientation: 0 });
    for (let row = 0; row < 64; row++) {
      for (let column = 0; column < 32; column++) {
        expect(heart[at(row, column)]).toBe(heart[at(row, 63 - column)]);
      }
    }
    // orientations 0 and 2*pi are the same image
    for (const shape of [0, 1, 2]) {
      expect(Array.from(data.batchValues([dspritesIndex([shape, 2, 39, 5, 9])]))).toEqual(
        Array.from(data.batchValues([dspritesIndex([shape, 2, 0, 5, 9])])),
      );
    }
  });

  it('rejects impossible sprites', () => {
    expect(() => draw({ shape: 3, scale: 1, orientation: 0, posX: 0, posY: 0 })).toThrow(/shape must be 0/);
    expect(() => draw({ shape: 0, scale: 0, orientation: 0, posX: 0, posY: 0 })).toThrow(
      /scale must be positive/,
    );
  });
});
