/**
 * Browser output: images as RGBA pixels, `ImageData` and canvas drawings. Nothing here touches the DOM until a
 * function is called, so the module imports anywhere (Node included); `toImageData` and `drawToCanvas` need a
 * browser or worker.
 */
import { checkImage, type Image, scaleImage } from './image';

export interface CanvasImageOptions {
  /** Integer upscaling, each pixel becoming a `scale` x `scale` block (crisp, no smoothing). Default 1. */
  scale?: number;
}

export interface DrawToCanvasOptions extends CanvasImageOptions {
  /** Where the image's top-left corner goes on the canvas, in canvas pixels. Default 0, 0. */
  x?: number;
  y?: number;
  /** Resize the canvas to the (scaled) image first. Default true when drawing at 0, 0. */
  resize?: boolean;
}

/** Anything with a 2-D context: an `HTMLCanvasElement` or an `OffscreenCanvas` (in workers). */
export type CanvasLike = HTMLCanvasElement | OffscreenCanvas;

function checkScale(where: string, scale: number): void {
  if (!Number.isInteger(scale) || scale < 1) {
    throw new Error(`${where}: scale must be a positive integer, got ${scale}.`);
  }
}

/**
 * The image as RGBA bytes (grey repeated over RGB, alpha 255 unless the image has it), optionally upscaled: the
 * pixel layout of `ImageData`. Pure, so it runs in Node too.
 */
export function toRgba(image: Image, options: CanvasImageOptions = {}): Uint8ClampedArray<ArrayBuffer> {
  const where = 'toRgba';
  checkImage(image, where);
  const scale = options.scale ?? 1;
  checkScale(where, scale);
  const source = scale === 1 ? image : scaleImage(image, scale);
  const { width, height, channels, data } = source;
  const pixels = width * height;
  const rgba = new Uint8ClampedArray(pixels * 4);
  for (let i = 0; i < pixels; i++) {
    if (channels === 1) {
      rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = data[i];
      rgba[4 * i + 3] = 255;
    } else if (channels === 3) {
      rgba[4 * i] = data[3 * i];
      rgba[4 * i + 1] = data[3 * i + 1];
      rgba[4 * i + 2] = data[3 * i + 2];
      rgba[4 * i + 3] = 255;
    } else {
      rgba.set(data.subarray(4 * i, 4 * i + 4), 4 * i);
    }
  }
  return rgba;
}

/**
 * A new `ImageData` of the image (upscaled by `scale`), ready for `putImageData`. Needs the `ImageData` global of
 * browsers and workers; in Node, write PNG files instead (`writePng` from `@vae/viz/node`).
 */
export function toImageData(image: Image, options: CanvasImageOptions = {}): ImageData {
  if (typeof ImageData === 'undefined') {
    throw new Error(
      'toImageData: ImageData is not available here (it exists in browsers and workers); in Node, write a ' +
        'PNG file with writePng from @vae/viz/node, or use toRgba for the raw pixels.',
    );
  }
  const scale = options.scale ?? 1;
  const rgba = toRgba(image, { scale });
  return new ImageData(rgba, image.width * scale, image.height * scale);
}

/**
 * Draws the image on a canvas (an `HTMLCanvasElement` or `OffscreenCanvas`) at (x, y), upscaled by an integer
 * `scale` without smoothing. By default the canvas is first resized to the scaled image (which clears it).
 */
export function drawToCanvas(canvas: CanvasLike, image: Image, options: DrawToCanvasOptions = {}): void {
  const where = 'drawToCanvas';
  if (canvas === null || typeof canvas !== 'object' || typeof canvas.getContext !== 'function') {
    throw new Error(`${where}: pass an HTMLCanvasElement or an OffscreenCanvas, got ${canvas}.`);
  }
  checkImage(image, where);
  const scale = options.scale ?? 1;
  checkScale(where, scale);
  const x = options.x ?? 0;
  const y = options.y ?? 0;
  if (!Number.isInteger(x) || !Number.isInteger(y)) {
    throw new Error(`${where}: x and y must be integers, got ${x} and ${y}.`);
  }
  const resize = options.resize ?? (x === 0 && y === 0);
  if (resize) {
    canvas.width = image.width * scale;
    canvas.height = image.height * scale;
  }
  const context = (
    canvas as { getContext(id: '2d'): CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null }
  ).getContext('2d');
  if (context === null) {
    throw new Error(`${where}: the canvas has no 2d context (it may already hold a WebGL context).`);
  }
  context.putImageData(toImageData(image, { scale }), x, y);
}
