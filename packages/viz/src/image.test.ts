import { describe, expect, it } from 'vitest';
import { concatImagesVertically, type Image, imageGrid } from './image';

/** Pixel (x, y) of an image as an array of its channels. */
function pixel(image: Image, x: number, y: number): number[] {
  const start = (y * image.width + x) * image.channels;
  return Array.from(image.data.subarray(start, start + image.channels));
}

describe('imageGrid', () => {
  it('places each tile at its cell with padding around and between, in background colour', () => {
    // Five 2x3 grey tiles, tile n filled with n / 10: three columns by default (ceil(sqrt(5))), two rows.
    const count = 5;
    const values = new Float32Array(count * 2 * 3);
    for (let n = 0; n < count; n++) values.fill(n / 10, n * 6, (n + 1) * 6);
    const grid = imageGrid({ values, count, height: 2, width: 3 }, { padding: 1, background: 0.5 });
    expect(grid.channels).toBe(1);
    expect(grid.width).toBe(3 * 3 + 4 * 1);
    expect(grid.height).toBe(2 * 2 + 3 * 1);
    expect(grid.data.length).toBe(grid.width * grid.height);
    const background = Math.round(0.5 * 255);
    for (let n = 0; n < count; n++) {
      const left = 1 + (n % 3) * 4;
      const top = 1 + Math.floor(n / 3) * 3;
      for (let y = 0; y < 2; y++) {
        for (let x = 0; x < 3; x++)
          expect(pixel(grid, left + x, top + y)).toEqual([Math.round((n / 10) * 255)]);
      }
    }
    // Padding: the outer border, the gaps between tiles, and the empty sixth cell.
    for (let x = 0; x < grid.width; x++) {
      expect(pixel(grid, x, 0)).toEqual([background]);
      expect(pixel(grid, x, 3)).toEqual([background]);
      expect(pixel(grid, x, grid.height - 1)).toEqual([background]);
    }
    for (let y = 0; y < grid.height; y++) {
      for (const x of [0, 4, 8, 12]) expect(pixel(grid, x, y)).toEqual([background]);
    }
    for (let y = 4; y < 6; y++) for (let x = 9; x < 12; x++) expect(pixel(grid, x, y)).toEqual([background]);
  });

  it('clamps to [0, 1], rounds to bytes, keeps RGB channels and honours columns', () => {
    // Two 1x2 RGB tiles in one column with no padding.
    const values = [
      [-0.5, 0.5, 1.5, 0.2, 0.998, Number.NaN],
      [1, 0, 0, 0, 0, 1],
    ].flat();
    const grid = imageGrid(
      { values, count: 2, height: 1, width: 2, channels: 3 },
      { columns: 1, padding: 0 },
    );
    expect([grid.width, grid.height, grid.channels]).toEqual([2, 2, 3]);
    expect(Array.from(grid.data)).toEqual([0, 128, 255, 51, 254, 0, 255, 0, 0, 0, 0, 255]);
  });

  it('defaults to 2 px of white padding and a square layout', () => {
    const grid = imageGrid({ values: new Float32Array(9 * 4), count: 9, height: 2, width: 2 });
    expect([grid.width, grid.height]).toEqual([3 * 2 + 4 * 2, 3 * 2 + 4 * 2]);
    expect(pixel(grid, 0, 0)).toEqual([255]);
    expect(pixel(grid, 1, 1)).toEqual([255]);
    expect(pixel(grid, 2, 2)).toEqual([0]);
  });

  it('rejects bad batches with messages that say what to fix', () => {
    const base = { values: new Float32Array(8), count: 2, height: 2, width: 2 };
    expect(() => imageGrid({ ...base, values: new Float32Array(7) })).toThrow(/length 7 .* = 8/);
    expect(() => imageGrid({ ...base, count: 0 })).toThrow(/empty \(count 0\)/);
    expect(() => imageGrid({ ...base, channels: 4 as 3 })).toThrow(/unsupported channels 4; use 1 .* or 3/);
    expect(() => imageGrid({ ...base, height: 1.5 })).toThrow(/height must be a positive integer/);
    expect(() => imageGrid(base, { columns: 0 })).toThrow(/columns must be a positive integer/);
    expect(() => imageGrid(base, { padding: -1 })).toThrow(/padding must be a non-negative integer/);
    expect(() => imageGrid(base, { background: 2 })).toThrow(/background must be a number in \[0, 1\]/);
  });
});

describe('concatImagesVertically', () => {
  const grey = (width: number, height: number, value: number): Image => ({
    width,
    height,
    channels: 1,
    data: new Uint8Array(width * height).fill(value),
  });

  it('stacks images with a gap, centring narrower ones on the background', () => {
    const out = concatImagesVertically([grey(4, 2, 10), grey(2, 1, 20)], { gap: 1, background: 0 });
    expect([out.width, out.height, out.channels]).toEqual([4, 4, 1]);
    expect(Array.from(out.data)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 0, 0, 0, 0, 0, 20, 20, 0]);
  });

  it('keeps RGBA opaque in the filled space', () => {
    const rgba: Image = { width: 1, height: 1, channels: 4, data: new Uint8Array([1, 2, 3, 4]) };
    const out = concatImagesVertically([rgba, rgba], { gap: 1 });
    expect(Array.from(out.data)).toEqual([1, 2, 3, 4, 255, 255, 255, 255, 1, 2, 3, 4]);
  });

  it('rejects mixed channels, bad images and an empty list', () => {
    const rgb: Image = { width: 1, height: 1, channels: 3, data: new Uint8Array(3) };
    expect(() => concatImagesVertically([grey(1, 1, 0), rgb])).toThrow(
      /image 0 has 1 channels but image 1 has 3; all images must have the same channels/,
    );
    expect(() => concatImagesVertically([])).toThrow(/non-empty array/);
    expect(() => concatImagesVertically([{ ...rgb, data: new Uint8Array(2) }])).toThrow(/2 bytes .* = 3/);
  });
});
