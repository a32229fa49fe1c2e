import { describe, expect, it } from 'vitest';
import { drawText, textWidth } from './font';
import { concatImagesVertically, figureScale, type Image, imageGrid, scaleImage } from './image';

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

describe('imageGrid scale', () => {
  const digits = { values: new Float32Array(4 * 28 * 28).fill(0.5), count: 4, height: 28, width: 28 };

  it('enlarges the whole figure by an integer factor, every pixel a crisp block', () => {
    const plain = imageGrid(digits, { captions: ['0', '1', '2', '3'] });
    const big = imageGrid(digits, { captions: ['0', '1', '2', '3'], scale: 3 });
    expect([big.width, big.height]).toEqual([plain.width * 3, plain.height * 3]);
    expect(big).toEqual(scaleImage(plain, 3));
    expect(imageGrid(digits, { scale: 1 })).toEqual(imageGrid(digits));
  });

  it("'auto' gives tiles of about 64 pixels: 3x for 28-pixel digits, 2x for 32, 1x for 64 and larger", () => {
    expect(imageGrid(digits, { scale: 'auto' })).toEqual(imageGrid(digits, { scale: 3 }));
    expect([
      figureScale(28),
      figureScale(32, 32),
      figureScale(64),
      figureScale(200, 100),
      figureScale(4),
    ]).toEqual([3, 2, 1, 1, 8]);
    expect(() => imageGrid(digits, { scale: 1.5 })).toThrow(/imageGrid: scale/);
    expect(() => figureScale(0)).toThrow(/tile size must be positive/);
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

describe('imageGrid labels', () => {
  const batch = (count: number, height: number, width: number, value = 0.5) => ({
    values: new Float32Array(count * height * width).fill(value),
    count,
    height,
    width,
  });
  /** Whether any pixel in the rectangle differs from the background byte. */
  const inked = (
    image: Image,
    left: number,
    top: number,
    width: number,
    height: number,
    background = 255,
  ) => {
    for (let y = top; y < top + height; y++) {
      for (let x = left; x < left + width; x++) if (pixel(image, x, y)[0] !== background) return true;
    }
    return false;
  };

  it('adds a caption band under every row and draws each caption centred under its tile', () => {
    const grid = imageGrid(batch(3, 4, 12), { columns: 2, padding: 1, captions: ['7', '', 'ab'] });
    // Two rows of 4 + 10 pixels, three padding rows.
    expect([grid.width, grid.height]).toEqual([2 * 12 + 3, 2 * (4 + 10) + 3]);
    // Tiles keep their place and value.
    expect(pixel(grid, 1, 1)).toEqual([128]);
    expect(pixel(grid, 14, 1 + 4 + 10 + 1)).toEqual([255]); // no fourth tile
    expect(pixel(grid, 1, 16)).toEqual([128]);
    // Caption '7' (5 px wide) centred under tile 0: columns 1 + 3 .. 1 + 7, rows 6 .. 12.
    const seven = { width: 5, height: 8, channels: 1 as const, data: new Uint8Array(40).fill(255) };
    drawText(seven, '7', 0, 0, 0);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 5; x++) expect(pixel(grid, 4 + x, 6 + y)).toEqual([seven.data[y * 5 + x]]);
    }
    expect(inked(grid, 14, 6, 12, 8)).toBe(false); // empty caption of tile 1
    expect(inked(grid, 1, 20, 12, 8)).toBe(true); // 'ab' under tile 2
  });

  it('cuts long captions to the tile, keeping a gap to the next', () => {
    const grid = imageGrid(batch(2, 2, 28), { padding: 2, columns: 2, captions: ['abcdefgh', 'abcdefgh'] });
    // 28 + 2 - 3 = 27 pixels hold 4 characters (23 pixels), centred: columns 2 + 2 .. 2 + 26.
    expect(inked(grid, 2, 5, 2, 8)).toBe(false);
    expect(inked(grid, 4, 5, 23, 8)).toBe(true);
    expect(inked(grid, 27, 5, 7, 8)).toBe(false); // caption 1 starts at 32 + 2
    // Tiles too narrow for one character get no caption band.
    const tiny = imageGrid(batch(2, 4, 4), { padding: 2, captions: ['1', '2'] });
    expect(tiny).toEqual(imageGrid(batch(2, 4, 4), { padding: 2 }));
  });

  it('draws row labels in a left margin and column labels in a top band, thinning crowded ones', () => {
    const grid = imageGrid(batch(7, 10, 10), {
      columns: 7,
      padding: 0,
      rowLabels: ['z12'],
      columnLabels: ['-3.00', '-2.00', '-1.00', '0.00', '1.00', '2.00', '3.00'],
    });
    const margin = textWidth('z12') + 2;
    expect([grid.width, grid.height]).toEqual([margin + 70, 10 + 10]);
    expect(pixel(grid, margin, 10)).toEqual([128]);
    expect(inked(grid, 0, 10, margin, 10)).toBe(true);
    // Labels are 29 pixels wide: 10-pixel columns fit one every fourth (4 * 10 - 3 >= 29), columns 0 and 4.
    expect(inked(grid, margin - 10, 0, 29, 10)).toBe(true);
    expect(inked(grid, margin + 19, 0, 11, 10)).toBe(false);
    expect(inked(grid, margin + 30, 0, 29, 10)).toBe(true);
    expect(inked(grid, margin + 59, 0, 11, 10)).toBe(false);
    // A wide label at the edge is moved inside the image.
    const edge = imageGrid(batch(1, 4, 4), { padding: 0, columnLabels: ['wide'] });
    expect(edge.width).toBe(4);
    expect(inked(edge, 0, 0, 4, 10)).toBe(true);
  });

  it('writes white text on dark backgrounds and keeps colour tiles', () => {
    const values = new Float32Array(2 * 8 * 3);
    for (let i = 0; i < values.length; i += 3) values.set([1, 0, 0], i);
    const grid = imageGrid(
      { values, count: 1, height: 2, width: 8, channels: 3 },
      { padding: 0, background: 0, captions: ['1'] },
    );
    expect(grid.channels).toBe(3);
    expect(pixel(grid, 0, 0)).toEqual([255, 0, 0]);
    const ink = Array.from({ length: grid.height }, (_, y) => y)
      .flatMap((y) => Array.from({ length: grid.width }, (_, x) => pixel(grid, x, y)))
      .filter((rgb) => rgb[0] === 255 && rgb[1] === 255 && rgb[2] === 255);
    expect(ink.length).toBeGreaterThan(0);
  });

  it('rejects more labels than tiles, rows or columns', () => {
    expect(() => imageGrid(batch(2, 2, 2), { captions: ['a', 'b', 'c'] })).toThrow(/3 captions for 2 tiles/);
    expect(() => imageGrid(batch(2, 2, 2), { columns: 2, rowLabels: ['a', 'b'] })).toThrow(
      /2 rowLabels for 1 rows/,
    );
    expect(() => imageGrid(batch(2, 2, 2), { labelScale: 0 })).toThrow(
      /labelScale must be a positive integer/,
    );
    expect(() => imageGrid(batch(2, 2, 2), { textColour: 2 })).toThrow(
      /textColour must be a number in \[0, 1\]/,
    );
  });
});

describe('scaleImage', () => {
  it('turns each pixel into a block, keeping channels', () => {
    const image: Image = { width: 2, height: 1, channels: 3, data: new Uint8Array([1, 2, 3, 4, 5, 6]) };
    const big = scaleImage(image, 2);
    expect([big.width, big.height, big.channels]).toEqual([4, 2, 3]);
    expect(Array.from(big.data)).toEqual([
      1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6, 1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6,
    ]);
    const same = scaleImage(image, 1);
    expect(same).toEqual(image);
    expect(same.data).not.toBe(image.data);
    expect(() => scaleImage(image, 1.5)).toThrow(/factor must be a positive integer/);
  });
});
