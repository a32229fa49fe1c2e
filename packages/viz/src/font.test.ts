import { describe, expect, it } from 'vitest';
import { drawText, fitText, GLYPH_HEIGHT, glyph, textWidth } from './font';
import type { Image } from './image';

const blank = (width: number, height: number, channels: 1 | 3 | 4 = 1, fill = 255): Image => ({
  width,
  height,
  channels,
  data: new Uint8Array(width * height * channels).fill(fill),
});

/** The image as rows of '#' (ink, byte 0) and '.' for the first channel. */
function picture(image: Image): string[] {
  return Array.from({ length: image.height }, (_, y) =>
    Array.from({ length: image.width }, (_, x) =>
      image.data[(y * image.width + x) * image.channels] === 0 ? '#' : '.',
    ).join(''),
  );
}

describe('bitmap font', () => {
  it('has a distinct 5 x 8 glyph for every printable ASCII character', () => {
    const seen = new Map<string, string>();
    for (let code = 32; code < 127; code++) {
      const character = String.fromCharCode(code);
      const rows = glyph(character);
      expect(rows).toHaveLength(GLYPH_HEIGHT);
      for (const row of rows) expect(row >= 0 && row < 32).toBe(true);
      const key = rows.join(',');
      if (character !== ' ') expect(seen.get(key)).toBeUndefined();
      seen.set(key, character);
    }
    expect(glyph('€')).toEqual(glyph('?'));
    expect(glyph('\u2212')).toEqual(glyph('-'));
  });

  it('measures and cuts text to a width', () => {
    expect(textWidth('')).toBe(0);
    expect(textWidth('a')).toBe(5);
    expect(textWidth('abc')).toBe(17);
    expect(textWidth('abc', 2)).toBe(34);
    expect(fitText('abcdef', 17)).toBe('abc');
    expect(fitText('abcdef', 16)).toBe('ab');
    expect(fitText('ab', 100)).toBe('ab');
    expect(fitText('abc', 34, 2)).toBe('abc');
  });

  it('draws glyph pixels exactly, clipped at the edges', () => {
    const image = blank(12, 8);
    drawText(image, '1-', 0, 0, 0);
    expect(picture(image)).toEqual([
      '..#.........',
      '.##.........',
      '..#.........',
      '..#...#####.',
      '..#.........',
      '..#.........',
      '.###........',
      '............',
    ]);
    const clipped = blank(3, 3);
    drawText(clipped, '1', -1, -1, 0);
    expect(picture(clipped)).toEqual(['##.', '.#.', '.#.']);
  });

  it('scales glyphs and colours every channel, with opaque alpha', () => {
    const big = blank(10, 16);
    drawText(big, '.', 0, 0, 0, 2);
    expect(picture(big).slice(10, 14)).toEqual(['..####....', '..####....', '..####....', '..####....']);
    const rgba = blank(6, 8, 4, 0);
    drawText(rgba, '|', 0, 0, 200);
    const at = (x: number, y: number) => Array.from(rgba.data.subarray((y * 6 + x) * 4, (y * 6 + x) * 4 + 4));
    expect(at(2, 0)).toEqual([200, 200, 200, 255]);
    expect(at(0, 0)).toEqual([0, 0, 0, 0]);
  });
});
