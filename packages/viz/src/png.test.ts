import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import type { Image } from './image';
import { decodePng, encodePng } from './png';

function randomImage(width: number, height: number, channels: 1 | 3 | 4): Image {
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 97 + 13) % 256;
  return { width, height, channels, data };
}

describe('encodePng / decodePng', () => {
  it.each([1, 3, 4] as const)('round-trips %i-channel images byte for byte', (channels) => {
    const image = randomImage(7, 5, channels);
    const png = encodePng(image);
    expect(Array.from(png.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const back = decodePng(png);
    expect(back.width).toBe(7);
    expect(back.height).toBe(5);
    expect(back.channels).toBe(channels);
    expect(back.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(back.data)).toEqual(Array.from(image.data));
  });

  it('converts 16-bit and grey + alpha files to 8-bit images', () => {
    const wide = decodePng(
      encode({ width: 2, height: 1, channels: 1, depth: 16, data: new Uint16Array([0, 65535]) }),
    );
    expect([wide.channels, ...wide.data]).toEqual([1, 0, 255]);
    const greyAlpha = decodePng(
      encode({ width: 1, height: 1, channels: 2, depth: 8, data: new Uint8Array([9, 200]) }),
    );
    expect([greyAlpha.channels, ...greyAlpha.data]).toEqual([4, 9, 9, 9, 200]);
  });

  it('rejects non-PNG bytes and malformed images clearly', () => {
    expect(() => decodePng(new Uint8Array([1, 2, 3]))).toThrow(/not a PNG file/);
    expect(() => encodePng({ width: 2, height: 2, channels: 1, data: new Uint8Array(3) })).toThrow(
      /3 bytes but width \* height \* channels = 2 \* 2 \* 1 = 4/,
    );
    expect(() => encodePng({ width: 1, height: 1, channels: 2 as 1, data: new Uint8Array(2) })).toThrow(
      /unsupported channels 2/,
    );
  });
});
