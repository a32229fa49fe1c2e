import { describe, expect, it } from 'vitest';
import { drawToCanvas, toImageData } from './canvas';
import type { Image } from './image';

const rgb: Image = {
  width: 2,
  height: 2,
  channels: 3,
  data: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]),
};

/** RGBA of canvas pixel (x, y). */
function read(canvas: HTMLCanvasElement | OffscreenCanvas, x: number, y: number): number[] {
  const context = (canvas as HTMLCanvasElement).getContext('2d')!;
  return Array.from(context.getImageData(x, y, 1, 1).data);
}

describe('canvas output in the browser', () => {
  it('makes ImageData with the image pixels, upscaled when asked', () => {
    const data = toImageData(rgb);
    expect(data).toBeInstanceOf(ImageData);
    expect([data.width, data.height]).toEqual([2, 2]);
    expect(Array.from(data.data.subarray(12, 16))).toEqual([10, 20, 30, 255]);
    const big = toImageData(rgb, { scale: 3 });
    expect([big.width, big.height]).toEqual([6, 6]);
    const at = (x: number, y: number) => Array.from(big.data.subarray((y * 6 + x) * 4, (y * 6 + x) * 4 + 4));
    expect(at(2, 2)).toEqual([255, 0, 0, 255]);
    expect(at(3, 2)).toEqual([0, 255, 0, 255]);
    expect(at(5, 5)).toEqual([10, 20, 30, 255]);
  });

  it('draws on a canvas element, resizing it to the scaled image', () => {
    const canvas = document.createElement('canvas');
    drawToCanvas(canvas, rgb, { scale: 4 });
    expect([canvas.width, canvas.height]).toEqual([8, 8]);
    expect(read(canvas, 0, 0)).toEqual([255, 0, 0, 255]);
    expect(read(canvas, 3, 3)).toEqual([255, 0, 0, 255]);
    expect(read(canvas, 4, 0)).toEqual([0, 255, 0, 255]);
    expect(read(canvas, 0, 4)).toEqual([0, 0, 255, 255]);
    expect(read(canvas, 7, 7)).toEqual([10, 20, 30, 255]);
  });

  it('draws grey images at an offset without resizing, and on an OffscreenCanvas', () => {
    const canvas = document.createElement('canvas');
    canvas.width = 5;
    canvas.height = 5;
    const grey: Image = { width: 1, height: 2, channels: 1, data: new Uint8Array([0, 128]) };
    drawToCanvas(canvas, grey, { x: 3, y: 2 });
    expect([canvas.width, canvas.height]).toEqual([5, 5]);
    expect(read(canvas, 3, 2)).toEqual([0, 0, 0, 255]);
    expect(read(canvas, 3, 3)).toEqual([128, 128, 128, 255]);
    expect(read(canvas, 0, 0)).toEqual([0, 0, 0, 0]);
    const offscreen = new OffscreenCanvas(1, 1);
    drawToCanvas(offscreen, rgb);
    expect([offscreen.width, offscreen.height]).toEqual([2, 2]);
    expect(read(offscreen, 1, 1)).toEqual([10, 20, 30, 255]);
    expect(() => drawToCanvas(canvas, grey, { x: 0.5 })).toThrow(/x and y must be integers/);
  });
});
