import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import type { Image } from './image';
import {
  axisLabels,
  interpolateLatents,
  interpolationStrip,
  latentManifold,
  normalQuantile,
  priorQuantiles,
  traversalGrid,
} from './latent';

/** The bytes of tile (row, column) of a grid of `tileHeight` x `tileWidth` tiles with `padding`. */
function tile(
  image: Image,
  row: number,
  column: number,
  tileHeight: number,
  tileWidth: number,
  padding: number,
): number[] {
  const out: number[] = [];
  const top = padding + row * (tileHeight + padding);
  const left = padding + column * (tileWidth + padding);
  for (let y = 0; y < tileHeight; y++) {
    for (let x = 0; x < tileWidth; x++) {
      const start = ((top + y) * image.width + left + x) * image.channels;
      out.push(...image.data.subarray(start, start + image.channels));
    }
  }
  return out;
}

const byte = (value: number) => Math.round(Math.min(1, Math.max(0, value)) * 255);

/** Paints every latent coordinate into one pixel: a 1 x d grey image with values (z + shift) / span. */
const paint =
  (shift: number, span: number) =>
  (z: tf.Tensor2D): tf.Tensor =>
    tf.reshape(tf.div(tf.add(z, shift), span), [z.shape[0], 1, z.shape[1]]);

describe('normalQuantile and priorQuantiles', () => {
  it('match reference values of the standard normal inverse CDF', () => {
    // Reference values from Python's statistics.NormalDist().inv_cdf.
    const reference: Array<[number, number]> = [
      [1e-300, -37.0470962993612],
      [1e-20, -9.262340089798405],
      [1e-10, -6.361340902404056],
      [0.001, -3.090232306167813],
      [0.02425, -1.9729610513118845],
      [0.05, -1.6448536269514726],
      [0.1, -1.2815515655446008],
      [0.3, -0.5244005127080407],
      [0.5, 0],
      [0.7, 0.5244005127080407],
      [0.975, 1.9599639845400536],
      [0.999, 3.090232306167813],
    ];
    for (const [p, z] of reference) {
      expect(Math.abs(normalQuantile(p) - z)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(z)));
    }
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    for (const p of [0.01, 0.2, 0.4]) expect(normalQuantile(1 - p)).toBeCloseTo(-normalQuantile(p), 12);
    expect(() => normalQuantile(1.5)).toThrow(/probability in \[0, 1\]/);
    expect(() => normalQuantile(Number.NaN)).toThrow(/probability/);
  });

  it('spread steps evenly in probability over the range, ends included', () => {
    const q = priorQuantiles(20, [0.05, 0.95]);
    expect(q).toHaveLength(20);
    expect(q[0]).toBeCloseTo(-1.6448536269514726, 12);
    expect(q[19]).toBeCloseTo(1.6448536269514726, 12);
    for (let k = 0; k < 20; k++) {
      expect(q[k]).toBeCloseTo(-q[19 - k], 12);
      expect(q[k]).toBe(normalQuantile((0.05 * (19 - k) + 0.95 * k) / 19));
    }
    // Even in probability means denser in z near 0.
    expect(q[10] - q[9]).toBeLessThan(q[1] - q[0]);
    expect(priorQuantiles(1)).toEqual([0]);
    expect(() => priorQuantiles(3, [0, 0.9])).toThrow(/0 < low < high < 1/);
    expect(() => priorQuantiles(0)).toThrow(/steps must be a positive integer/);
  });
});

describe('axisLabels', () => {
  it('uses the fewest decimals that show every value, the same for all', () => {
    expect(axisLabels([-3, -1.5, 0, 1.5, 3])).toEqual(['-3.0', '-1.5', '0.0', '1.5', '3.0']);
    expect(axisLabels([-2, -1, 0, 1, 2])).toEqual(['-2', '-1', '0', '1', '2']);
    expect(axisLabels([-0.75, 0, 0.75])).toEqual(['-0.75', '0.00', '0.75']);
    expect(axisLabels([-1.6448536, -0.0000001])).toEqual(['-1.64', '0.00']);
  });
});

describe('latentManifold', () => {
  it('puts low z1 on the left and high z2 at the top, one decoded tile per grid point', async () => {
    // Three steps over [0.05, 0.95]: q = [-1.645, 0, 1.645]; the decode paints z as 0, 0.5 or 1.
    const decode = (z: tf.Tensor2D) =>
      tf.reshape(tf.add(tf.mul(tf.sign(z), 0.5), 0.5), [z.shape[0], 1, 2]) as tf.Tensor;
    const image = await expectNoLeaks(() => latentManifold(decode, { steps: 3, padding: 1 }));
    expect([image.width, image.height, image.channels]).toEqual([3 * 2 + 4, 3 * 1 + 4, 1]);
    const expected = [
      // rows top to bottom: z2 = +, 0, -; columns left to right: z1 = -, 0, +
      [
        [0, 255],
        [128, 255],
        [255, 255],
      ],
      [
        [0, 128],
        [128, 128],
        [255, 128],
      ],
      [
        [0, 0],
        [128, 0],
        [255, 0],
      ],
    ];
    for (let row = 0; row < 3; row++) {
      for (let column = 0; column < 3; column++) {
        expect(tile(image, row, column, 1, 2, 1)).toEqual(expected[row][column]);
      }
    }
  });

  it('decodes exactly the prior quantiles (default 20 steps over [0.05, 0.95], no padding)', async () => {
    const q = priorQuantiles(20);
    const image = await expectNoLeaks(() => latentManifold(paint(2, 4)));
    expect([image.width, image.height]).toEqual([20 * 2, 20]);
    for (let row = 0; row < 20; row++) {
      for (let column = 0; column < 20; column++) {
        const [first, second] = tile(image, row, column, 1, 2, 0);
        expect(Math.abs(first - byte((q[column] + 2) / 4))).toBeLessThanOrEqual(1);
        expect(Math.abs(second - byte((q[19 - row] + 2) / 4))).toBeLessThanOrEqual(1);
      }
    }
  });

  it('varies the chosen dimensions of larger codes, holding the others at base, in batches', async () => {
    const seen: number[][] = [];
    const decode = (z: tf.Tensor2D) => {
      seen.push(...(z.arraySync() as number[][]));
      return paint(2, 4)(z);
    };
    const base = [0.5, -1, 1, 0.25];
    const image = await expectNoLeaks(() =>
      latentManifold(decode, { steps: 4, latentSize: 4, dimensions: [3, 1], base, batchSize: 5, padding: 0 }),
    );
    expect(seen).toHaveLength(16);
    const q = priorQuantiles(4).map(Math.fround);
    seen.forEach((code, n) => {
      const row = Math.floor(n / 4);
      const column = n % 4;
      expect(code[0]).toBe(0.5);
      expect(code[2]).toBe(1);
      expect(code[3]).toBe(q[column]);
      expect(code[1]).toBe(q[3 - row]);
    });
    expect([image.width, image.height]).toEqual([4 * 4, 4]);
    const unbatched = await latentManifold(decode, {
      steps: 4,
      latentSize: 4,
      dimensions: [3, 1],
      base: tf.tensor1d(base),
      padding: 0,
    });
    expect(unbatched.data).toEqual(image.data);
  });

  it('reads flat outputs, inferring square grey or RGB images', async () => {
    const grey = (z: tf.Tensor2D) => tf.sigmoid(tf.tile(tf.slice(z, [0, 0], [-1, 1]), [1, 9]));
    const greyImage = await expectNoLeaks(() => latentManifold(grey, { steps: 2, padding: 0 }));
    expect([greyImage.width, greyImage.height, greyImage.channels]).toEqual([6, 6, 1]);
    const rgb = (z: tf.Tensor2D) => tf.sigmoid(tf.tile(tf.slice(z, [0, 0], [-1, 1]), [1, 12]));
    const rgbImage = await expectNoLeaks(() => latentManifold(rgb, { steps: 2, padding: 0 }));
    expect([rgbImage.width, rgbImage.height, rgbImage.channels]).toEqual([4, 4, 3]);
    const oblong = (z: tf.Tensor2D) => tf.sigmoid(tf.tile(tf.slice(z, [0, 0], [-1, 1]), [1, 6]));
    await expectNoLeaks(() =>
      expect(latentManifold(oblong, { steps: 2 })).rejects.toThrow(/not square; pass \{ height, width \}/),
    );
    const given = await latentManifold(oblong, { steps: 2, padding: 0, height: 2, width: 3 });
    expect([given.width, given.height]).toEqual([6, 4]);
  });

  it('draws z values as labels when asked', async () => {
    const plain = await latentManifold(paint(2, 4), { steps: 3, padding: 0 });
    const labelled = await latentManifold(paint(2, 4), { steps: 3, padding: 0, labels: true });
    expect(labelled.width).toBeGreaterThan(plain.width);
    expect(labelled.height).toBe(plain.height + 10);
  });

  it('rejects bad options and bad decoders without leaking', async () => {
    await expect(latentManifold(42 as never)).rejects.toThrow(/decode must be a function/);
    await expect(latentManifold(paint(2, 4), { dimensions: [0, 3] })).rejects.toThrow(/pass latentSize/);
    await expect(latentManifold(paint(2, 4), { dimensions: [1, 1] })).rejects.toThrow(/two different/);
    await expect(latentManifold(paint(2, 4), { quantileRange: [0.5, 0.2] })).rejects.toThrow(/low < high/);
    await expect(latentManifold(paint(2, 4), { base: [0, 0, 0], latentSize: 2 })).rejects.toThrow(
      /base has 3/,
    );
    const dropsOne = (z: tf.Tensor2D) => tf.ones([z.shape[0] - 1, 2, 2]);
    await expectNoLeaks(() =>
      expect(latentManifold(dropsOne, { steps: 2 })).rejects.toThrow(/returned 3 images for 4 codes/),
    );
    const throws = (z: tf.Tensor2D) => {
      tf.square(z); // an intermediate the failure must not leak
      throw new Error('decoder exploded');
    };
    await expectNoLeaks(() =>
      expect(latentManifold(throws, { steps: 2 })).rejects.toThrow(/decoder exploded/),
    );
    const notTensor = (() => [1, 2]) as never;
    await expectNoLeaks(() => expect(latentManifold(notTensor, { steps: 2 })).rejects.toThrow());
  });
});

describe('interpolateLatents', () => {
  // GPU shaders approximate acos and sin to about 1e-4 relative; CPU and WASM are float32-exact.
  const tolerance = ['webgl', 'webgpu'].includes(tf.getBackend()) ? 1e-3 : 1e-5;
  const close = (actual: number, expected: number) =>
    expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)));
  const values = async (tensor: tf.Tensor) => {
    const out = (await tensor.array()) as number[][];
    tensor.dispose();
    return out;
  };
  const norm = (v: number[]) => Math.hypot(...v);

  it('walks the straight line with both endpoints', async () => {
    const path = await expectNoLeaks(() => interpolateLatents([0, 2, -4], [4, -2, 4], 5), 1);
    expect(path.shape).toEqual([5, 3]);
    const rows = await values(path);
    const expected = [
      [0, 2, -4],
      [1, 1, -2],
      [2, 0, 0],
      [3, -1, 2],
      [4, -2, 4],
    ];
    rows.forEach((row, i) => {
      row.forEach((value, j) => {
        close(value, expected[i][j]);
      });
    });
  });

  it('slerp keeps the norm on a great circle and hits both endpoints', async () => {
    const a = [3, 0, 0];
    const b = [0, 3, 0];
    const rows = await values(interpolateLatents(a, b, 7, { spherical: true }));
    rows.forEach((row, i) => {
      close(norm(row), 3);
      close(Math.atan2(row[1], row[0]), ((Math.PI / 2) * i) / 6);
      close(row[2], 0);
    });
    for (let j = 0; j < 3; j++) {
      close(rows[0][j], a[j]);
      close(rows[6][j], b[j]);
    }
    // The straight line cuts the corner: its midpoint is shorter.
    const linear = await values(interpolateLatents(a, b, 7));
    close(norm(linear[3]), 3 / Math.SQRT2);
  });

  it('slerp scales between different norms and accepts tensors of shape [d] and [1, d]', async () => {
    const a = tf.tensor1d([1, 0]);
    const b = tf.tensor2d([[0, 2]]);
    const rows = await expectNoLeaks(async () => values(interpolateLatents(a, b, 3, { spherical: true })));
    // Midpoint: half the angle (45°) at the mean norm 1.5, (1.0607, 1.0607). (Slerp of the raw vectors gave
    // (sin(π/4) / sin(π/2)) (a + b) = (0.7071, 1.4142): 63° from a, not half way; core's slerp replaced it.)
    close(rows[1][0], 1.5 * Math.SQRT1_2);
    close(rows[1][1], 1.5 * Math.SQRT1_2);
    [1, 0, 0, 2].forEach((expected, k) => {
      close(rows[k < 2 ? 0 : 2][k % 2], expected);
    });
    tf.dispose([a, b]);
  });

  it('falls back to the straight line for parallel, antipodal or zero codes', async () => {
    for (const [a, b] of [
      [
        [1, 2],
        [2, 4],
      ],
      [
        [1, 2],
        [-1, -2],
      ],
      [
        [0, 0],
        [2, 4],
      ],
    ]) {
      const spherical = await values(interpolateLatents(a, b, 5, { spherical: true }));
      const linear = await values(interpolateLatents(a, b, 5));
      spherical.forEach((row, i) => {
        row.forEach((value, j) => {
          expect(Number.isFinite(value)).toBe(true);
          close(value, linear[i][j]);
        });
      });
    }
  });

  it('rejects mismatched codes and too few steps without leaking', async () => {
    await expectNoLeaks(() => {
      expect(() => interpolateLatents([1, 2], [1, 2, 3], 4)).toThrow(/a has 2 values but b has 3/);
      expect(() => interpolateLatents([1, 2], [3, 4], 1)).toThrow(/steps must be an integer >= 2/);
      expect(() => interpolateLatents([1, Number.NaN], [3, 4], 3)).toThrow(/non-finite/);
      const matrix = tf.zeros([2, 2]);
      expect(() => interpolateLatents(matrix, [3, 4], 3)).toThrow(
        /shape \[latentSize\] or \[1, latentSize\]/,
      );
      matrix.dispose();
    });
  });
});

describe('interpolationStrip', () => {
  it('decodes the path left to right, a on the left', async () => {
    const strip = await expectNoLeaks(() =>
      interpolationStrip(paint(2, 4), [-2, 2], [2, -2], { steps: 5, padding: 1 }),
    );
    expect([strip.width, strip.height]).toEqual([5 * 2 + 6, 1 + 2]);
    const expected = [
      [0, 255],
      [64, 191],
      [128, 128],
      [191, 64],
      [255, 0],
    ];
    expected.forEach((pixels, column) => {
      expect(tile(strip, 0, column, 1, 2, 1)).toEqual(pixels);
    });
  });

  it('differs between linear and spherical paths, and labels t when asked', async () => {
    const linear = await interpolationStrip(paint(3, 6), [2, 0], [0, 2], { steps: 3, padding: 0 });
    const spherical = await expectNoLeaks(() =>
      interpolationStrip(paint(3, 6), [2, 0], [0, 2], { steps: 3, padding: 0, spherical: true }),
    );
    // Midpoints: linear (1, 1) -> 170; spherical (1.414, 1.414) -> 188.
    expect(tile(linear, 0, 1, 1, 2, 0)).toEqual([170, 170]);
    expect(tile(spherical, 0, 1, 1, 2, 0)).toEqual([188, 188]);
    expect(tile(spherical, 0, 0, 1, 2, 0)).toEqual(tile(linear, 0, 0, 1, 2, 0));
    const labelled = await interpolationStrip(paint(3, 6), [2, 0], [0, 2], { steps: 3, labels: true });
    expect(labelled.height).toBe(1 + 2 * 2 + 10);
  });
});

describe('traversalGrid', () => {
  it('gives each dimension a row of values over the range, the others at the base code', async () => {
    const base = [1, -1, 0];
    const grid = await expectNoLeaks(() =>
      traversalGrid(paint(2, 4), base, { range: [-2, 2], steps: 5, padding: 1, labels: false }),
    );
    expect([grid.width, grid.height]).toEqual([5 * 3 + 6, 3 * 1 + 4]);
    const levels = [0, 64, 128, 191, 255]; // (v + 2) / 4 for v = -2, -1, 0, 1, 2
    const baseBytes = [191, 64, 128];
    for (let row = 0; row < 3; row++) {
      for (let column = 0; column < 5; column++) {
        const expected = [...baseBytes];
        expected[row] = levels[column];
        expect(tile(grid, row, column, 1, 3, 1)).toEqual(expected);
      }
    }
  });

  it('traverses the chosen dimensions in order, relative to the base when asked', async () => {
    const base = tf.tensor2d([[1, -1, 0]]);
    const grid = await expectNoLeaks(() =>
      traversalGrid(paint(2, 4), base, {
        range: [-1, 1],
        steps: 3,
        dimensions: [2, 0],
        relative: true,
        padding: 0,
        labels: false,
      }),
    );
    expect([grid.width, grid.height]).toEqual([3 * 3, 2]);
    // Row 0 moves z2 around 0: -1, 0, 1; row 1 moves z0 around 1: 0, 1, 2.
    expect(tile(grid, 0, 0, 1, 3, 0)).toEqual([191, 64, 64]);
    expect(tile(grid, 0, 2, 1, 3, 0)).toEqual([191, 64, 191]);
    expect(tile(grid, 1, 0, 1, 3, 0)).toEqual([128, 64, 128]);
    expect(tile(grid, 1, 2, 1, 3, 0)).toEqual([255, 64, 128]);
    base.dispose();
  });

  it('labels rows and columns by default, -3 to 3 in 9 steps', async () => {
    const seen: number[] = [];
    const decode = (z: tf.Tensor2D) => {
      seen.push(...(tf.slice(z, [0, 0], [-1, 1]).dataSync() as Float32Array));
      return paint(3, 6)(z);
    };
    const grid = await traversalGrid(decode, [0, 0], { dimensions: [0] });
    expect(seen).toEqual([-3, -2.25, -1.5, -0.75, 0, 0.75, 1.5, 2.25, 3]);
    const plain = await traversalGrid(decode, [0, 0], { dimensions: [0], labels: false });
    expect(grid.width).toBeGreaterThan(plain.width); // the row label margin
    expect(grid.height).toBe(plain.height + 10); // the column label band
  });

  it('rejects bad dimensions and ranges', async () => {
    await expect(traversalGrid(paint(2, 4), [0, 0], { dimensions: [2] })).rejects.toThrow(
      /dimension 2 is not in \[0, 1\]/,
    );
    await expect(traversalGrid(paint(2, 4), [0, 0], { range: [3, -3] })).rejects.toThrow(/low <= high/);
    await expect(traversalGrid(paint(2, 4), [])).rejects.toThrow(/empty/);
  });
});
