import { describe, expect, it } from 'vitest';
import { drawToCanvas, toImageData } from './canvas';

describe('canvas output in Node', () => {
  it('imports without a DOM and says what to use instead', () => {
    expect(typeof globalThis.document).toBe('undefined');
    const image = { width: 1, height: 1, channels: 1 as const, data: new Uint8Array([0]) };
    expect(() => toImageData(image)).toThrow(/ImageData is not available here .* writePng/);
    expect(() => drawToCanvas({} as never, image)).toThrow(/pass an HTMLCanvasElement or an OffscreenCanvas/);
  });
});
