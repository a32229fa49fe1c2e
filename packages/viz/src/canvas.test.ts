import { describe, expect, it } from 'vitest';
import { toRgba } from './canvas';
import type { Image } from './image';

describe('toRgba', () => {
  it('expands grey and RGB to opaque RGBA and keeps RGBA as is', () => {
    const grey: Image = { width: 2, height: 1, channels: 1, data: new Uint8Array([10, 200]) };
    expect(Array.from(toRgba(grey))).toEqual([10, 10, 10, 255, 200, 200, 200, 255]);
    const rgb: Image = { width: 1, height: 2, channels: 3, data: new Uint8Array([1, 2, 3, 4, 5, 6]) };
    expect(Array.from(toRgba(rgb))).toEqual([1, 2, 3, 255, 4, 5, 6, 255]);
    const rgba: Image = { width: 1, height: 1, channels: 4, data: new Uint8Array([9, 8, 7, 6]) };
    expect(Array.from(toRgba(rgba))).toEqual([9, 8, 7, 6]);
  });

  it('upscales by whole pixels', () => {
    const grey: Image = { width: 2, height: 1, channels: 1, data: new Uint8Array([0, 255]) };
    const rgba = toRgba(grey, { scale: 2 });
    expect(rgba).toHaveLength(4 * 2 * 4);
    const firstChannel = Array.from({ length: 8 }, (_, i) => rgba[4 * i]);
    expect(firstChannel).toEqual([0, 0, 255, 255, 0, 0, 255, 255]);
    expect(() => toRgba(grey, { scale: 0.5 })).toThrow(/scale must be a positive integer/);
    expect(() => toRgba({ ...grey, data: new Uint8Array(1) })).toThrow(/1 bytes/);
  });
});
