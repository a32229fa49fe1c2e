import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { DSprites } from './dsprites';
import { ImageDataset } from './image-dataset';
import { binarize, corrupt, epochBatches, iterateBatches, splitSource, subset } from './transforms';
import { arraySource } from './user-data';

/** 100 images of 4x5 pixels with a ramp of grey levels; label = index % 10. */
function ramp(): ImageDataset {
  const n = 100;
  const images = new Uint8Array(n * 20);
  for (let i = 0; i < images.length; i++) images[i] = (i * 37) % 256;
  return new ImageDataset({
    images,
    shape: [n, 4, 5, 1],
    labels: Uint8Array.from({ length: n }, (_, i) => i % 10),
    name: 'ramp',
  });
}

async function values(t: tf.Tensor): Promise<number[]> {
  const out = Array.from(await t.data());
  t.dispose();
  return out;
}

describe('epoch batches', () => {
  it('shuffles each epoch differently, reproducibly from the seed', () => {
    const flat = (batches: Int32Array[]) => batches.flatMap((b) => Array.from(b));
    const epoch0 = flat(epochBatches(10, { batchSize: 3, seed: 5, epoch: 0 }));
    expect([...epoch0].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(flat(epochBatches(10, { batchSize: 3, seed: 5, epoch: 0 }))).toEqual(epoch0);
    expect(flat(epochBatches(10, { batchSize: 3, seed: 5, epoch: 1 }))).not.toEqual(epoch0);
    expect(flat(epochBatches(10, { batchSize: 3, seed: 6, epoch: 0 }))).not.toEqual(epoch0);
    expect(epochBatches(10, { batchSize: 3 }).map((b) => b.length)).toEqual([3, 3, 3, 1]);
    expect(epochBatches(10, { batchSize: 3, dropLast: true }).length).toBe(3);
    expect(flat(epochBatches(5, { batchSize: 2, shuffle: false }))).toEqual([0, 1, 2, 3, 4]);
    expect(() => epochBatches(10, { batchSize: 0 })).toThrow(/positive integer/);
  });

  it('yields inputs with their labels', async () => {
    const data = ramp();
    let seen = 0;
    for (const batch of iterateBatches(data, { batchSize: 32, seed: 1 })) {
      expect(batch.x.shape).toEqual([batch.indices.length, 4, 5, 1]);
      expect(Array.from(batch.labels!)).toEqual(Array.from(batch.indices, (i) => i % 10));
      batch.x.dispose();
      seen += batch.indices.length;
    }
    expect(seen).toBe(100);
  });
});

describe('splitSource and subset', () => {
  it('splits reproducibly into disjoint parts that carry labels', async () => {
    const data = ramp();
    const { train, validation } = splitSource(data, { validation: 0.2, seed: 3 });
    expect([train.size, validation.size]).toEqual([80, 20]);
    expect(train.name).toBe('ramp/train');
    const again = splitSource(data, { validation: 0.2, seed: 3 });
    expect(Array.from(again.validation.labels!)).toEqual(Array.from(validation.labels!));
    expect(Array.from(splitSource(data, { validation: 0.2, seed: 4 }).validation.labels!)).not.toEqual(
      Array.from(validation.labels!),
    );
    // the validation examples are the ones the labels say, and none is in train
    const pixels = await values(validation.batch([0, 1]));
    const firstPixel = pixels[0] * 255;
    const index = Array.from({ length: 100 }, (_, i) => i).find(
      (i) => Math.abs(data.images[i * 20] - firstPixel) < 1e-3 && data.labels![i] === validation.labels![0],
    );
    expect(index).toBeDefined();
    expect(splitSource(data, { validation: 10 }).validation.size).toBe(10);
    expect(() => splitSource(data, { validation: 0 })).toThrow(/fraction in \(0, 1\)/);
    expect(() => splitSource(data, { validation: 100 })).toThrow(/\[1, 100\)/);
  });

  it('keeps ground-truth factors and lazily built labels', () => {
    const sprites = new DSprites();
    const part = subset(sprites, [737279, 0]);
    expect(part.size).toBe(2);
    expect(Array.from(part.labels!)).toEqual([2, 0]);
    expect(part.factorsOf!([0, 1]).map((f) => Array.from(f))).toEqual([
      [2, 5, 39, 31, 31],
      [0, 0, 0, 0, 0],
    ]);
    expect(part.factorSizes).toEqual([3, 6, 40, 32, 32]);
    expect(() => part.batch([2])).toThrow(/out of range \[0, 2\)/);
    expect(() => subset(sprites, [737280])).toThrow(/out of range/);
  });

  it('reads the labels of what they wrap only when asked', () => {
    let reads = 0;
    const source = {
      size: 2,
      itemShape: [1],
      batch: (indices: ArrayLike<number>) => tf.zeros([indices.length, 1]),
      get labels() {
        reads += 1;
        return [4, 5];
      },
    };
    const wrapped = corrupt(binarize(subset(source, [1, 0]), { mode: 'static' }), {
      kind: 'mask',
      probability: 0,
    });
    expect(reads).toBe(0);
    expect(Array.from(wrapped.labels!)).toEqual([5, 4]);
    expect(reads).toBe(1);
  });
});

describe('binarize', () => {
  it('thresholds statically', async () => {
    const data = arraySource({ values: new Float32Array([0.1, 0.5, 0.51, 0.9]), shape: [1, 4] });
    expect(await values(binarize(data, { mode: 'static' }).batch([0]))).toEqual([0, 0, 1, 1]);
    expect(await values(binarize(data, { mode: 'static', threshold: 0.2 }).batch([0]))).toEqual([0, 1, 1, 1]);
  });

  it('resamples dynamically at every batch, with the right mean, reproducibly', async () => {
    const n = 200;
    const data = arraySource({ values: new Float32Array(n * 50).fill(0.3), shape: [n, 50] });
    const first = binarize(data, { mode: 'dynamic', seed: 9 });
    const all = Array.from({ length: n }, (_, i) => i);
    const a = await values(first.batch(all));
    const b = await values(first.batch(all));
    expect(a.every((v) => v === 0 || v === 1)).toBe(true);
    expect(a).not.toEqual(b);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean - 0.3)).toBeLessThan(0.02);
    const replay = binarize(data, { mode: 'dynamic', seed: 9 });
    expect(await values(replay.batch(all))).toEqual(a);
    // zeros and ones stay what they are
    const extremes = arraySource({ values: new Float32Array([0, 1, 0, 1]), shape: [1, 4] });
    expect(await values(binarize(extremes, { mode: 'dynamic' }).batch([0]))).toEqual([0, 1, 0, 1]);
    await expectNoLeaks(() => tf.dispose(first.batch([0, 1])), 0);
    expect(first.labels).toBeUndefined();
    expect(binarize(ramp(), { mode: 'static' }).labels!.length).toBe(100);
  });
});

describe('corrupt', () => {
  const n = 100;
  const ones = arraySource({ values: new Float32Array(n * 100).fill(1), shape: [n, 100], name: 'ones' });
  const all = Array.from({ length: n }, (_, i) => i);
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;

  it('masks with probability q', async () => {
    const masked = corrupt(ones, { kind: 'mask', probability: 0.25, seed: 1 });
    const v = await values(masked.batch(all));
    expect(v.every((x) => x === 0 || x === 1)).toBe(true);
    expect(Math.abs(mean(v) - 0.75)).toBeLessThan(0.02);
    const { input, target } = masked.batchPair([0, 1]);
    expect(await values(target)).toEqual(new Array(200).fill(1));
    expect(Math.min(...(await values(input)))).toBe(0);
    expect(masked.clean).toBe(ones);
  });

  it('adds Gaussian noise of the given sigma, optionally clipped', async () => {
    const noisy = await values(corrupt(ones, { kind: 'gaussian', sigma: 0.5, seed: 2 }).batch(all));
    const m = mean(noisy);
    const sd = Math.sqrt(mean(noisy.map((x) => (x - m) ** 2)));
    expect(Math.abs(m - 1)).toBeLessThan(0.03);
    expect(Math.abs(sd - 0.5)).toBeLessThan(0.03);
    const clipped = await values(
      corrupt(ones, { kind: 'gaussian', sigma: 0.5, clip: [0, 1], seed: 2 }).batch(all),
    );
    expect(Math.max(...clipped)).toBe(1);
    expect(Math.min(...clipped)).toBeGreaterThanOrEqual(0);
  });

  it('adds salt and pepper in equal parts', async () => {
    const half = arraySource({ values: new Float32Array(n * 100).fill(0.5), shape: [n, 100] });
    const v = await values(corrupt(half, { kind: 'salt-and-pepper', probability: 0.2, seed: 3 }).batch(all));
    const salt = v.filter((x) => x === 1).length / v.length;
    const pepper = v.filter((x) => x === 0).length / v.length;
    const kept = v.filter((x) => x === 0.5).length / v.length;
    expect(Math.abs(salt - 0.1)).toBeLessThan(0.015);
    expect(Math.abs(pepper - 0.1)).toBeLessThan(0.015);
    expect(salt + pepper + kept).toBeCloseTo(1, 6);
  });

  it('is reproducible, leak-free and checks its options', async () => {
    const a = await values(corrupt(ones, { kind: 'mask', probability: 0.5, seed: 4 }).batch([0]));
    const b = await values(corrupt(ones, { kind: 'mask', probability: 0.5, seed: 4 }).batch([0]));
    expect(a).toEqual(b);
    const source = corrupt(ramp(), { kind: 'salt-and-pepper', probability: 0.1 });
    expect(source.labels!.length).toBe(100);
    await expectNoLeaks(() => tf.dispose(source.batch([0, 1])), 0);
    await expectNoLeaks(() => tf.dispose(Object.values(source.batchPair([0, 1]))), 0);
    expect(() => corrupt(ones, { kind: 'mask', probability: 2 })).toThrow(
      /probability must be in \[0, 1\], got 2/,
    );
    expect(() => corrupt(ones, { kind: 'gaussian', sigma: -1 })).toThrow(
      /sigma must be a finite number >= 0, got -1/,
    );
    expect(() => corrupt(ones, { kind: 'blur' } as never)).toThrow(/unknown corruption/);
  });

  it('refuses a reversed or non-finite clip and a non-finite salt or pepper; a failing batchPair leaks nothing', async () => {
    expect(() => corrupt(ones, { kind: 'gaussian', sigma: 0.1, clip: [1, 0] })).toThrow(
      'ones/gaussian: clip must be [min, max] with finite min <= max (e.g. [0, 1]), got [1, 0].',
    );
    expect(() => corrupt(ones, { kind: 'gaussian', sigma: 0.1, clip: [0, Number.NaN] })).toThrow(
      /got \[0, NaN\]/,
    );
    expect(() => corrupt(ones, { kind: 'gaussian', sigma: Infinity })).toThrow(
      /sigma must be a finite number >= 0, got Infinity/,
    );
    expect(() => corrupt(ones, { kind: 'salt-and-pepper', probability: 0.1, salt: Number.NaN })).toThrow(
      'ones/salt-and-pepper: salt must be a finite number (the value written, e.g. 1 for pixels), got NaN; leave ' +
        'it out for the default (1).',
    );
    expect(() => corrupt(ones, { kind: 'salt-and-pepper', probability: 0.1, pepper: -Infinity })).toThrow(
      /pepper must be a finite number/,
    );
    // standardized data has values outside [0, 1]: a pepper of -3 is allowed
    corrupt(ones, { kind: 'salt-and-pepper', probability: 0.1, pepper: -3, salt: 3 });
    // A source whose batches the corruption cannot take (strings): the clean batch is disposed with the error.
    const strings = { size: 1, itemShape: [1], batch: () => tf.tensor(['a']) } as never;
    const broken = corrupt(strings, { kind: 'gaussian', sigma: 0.1 });
    await expectNoLeaks(() => {
      expect(() => broken.batchPair([0])).toThrow();
    }, 0);
  });
});
