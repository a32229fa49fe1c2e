/**
 * The user's own data: typed arrays of any shape, and images as `ImageData` (or anything with width, height and
 * RGBA bytes) or, in browsers, image files (`File`, `Blob`, `FileList`).
 */
import { type ArrayData, type NumericArray, tensorSource } from '@vae/core';
import { ImageDataset } from './image-dataset';
import { checkMaxBytes, formatBytes, tooLargeError, userLimit } from './limits';
import type { DataSource } from './transforms';

/** Numbers as a typed array or a plain array (core's `NumericArray`). */
export type { NumericArray };

/** Options of `arraySource`: core's `ArrayData` with a name and class names. */
export interface ArraySourceOptions extends ArrayData {
  classNames?: readonly string[];
  name?: string;
}

/**
 * A `BatchSource` over a typed array kept in JavaScript memory (not on the GPU) and converted to float32 one batch
 * at a time, with a name and class names.
 *
 * @deprecated Use `tensorSource({ values, shape, labels, scale })` of `@vae/core`: the same source (one name for
 * examples in memory, typed arrays or tensors). Add `name` and `classNames` yourself if you need them. Kept for one
 * minor version.
 */
export function arraySource(options: ArraySourceOptions): DataSource {
  const name = options.name ?? 'array';
  return { ...tensorSource(options), name, classNames: options.classNames };
}

/** An image as RGBA bytes (the shape of the DOM's `ImageData`). */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

/** Writes RGBA pixels as 1 (luminance, ITU-R BT.601), 3 (RGB) or 4 (RGBA) channels. Alpha is otherwise ignored. */
export function rgbaToChannels(
  rgba: ArrayLike<number>,
  channels: 1 | 3 | 4,
  out: Uint8Array,
  offset: number,
): void {
  const pixels = rgba.length / 4;
  for (let p = 0; p < pixels; p++) {
    const r = rgba[4 * p];
    const g = rgba[4 * p + 1];
    const b = rgba[4 * p + 2];
    if (channels === 1) {
      out[offset + p] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    } else {
      const t = offset + channels * p;
      out[t] = r;
      out[t + 1] = g;
      out[t + 2] = b;
      if (channels === 4) out[t + 3] = rgba[4 * p + 3];
    }
  }
}

/** Image labels as bytes, each checked to be an integer class index from 0 to 255 (not wrapped). */
function byteLabels(labels: ArrayLike<number>, count: number, name: string): Uint8Array {
  if (labels.length !== count) {
    throw new Error(`${name}: ${labels.length} labels for ${count} images; pass one label per image.`);
  }
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label > 255) {
      throw new Error(
        `${name}: label ${i} is ${label}; image labels must be integer class indices from 0 to 255. Number the ` +
          'classes from 0 (and name them with classNames).',
      );
    }
    out[i] = label;
  }
  return out;
}

/** Options of `imageDataDataset` and `imageFilesDataset`. */
export interface ImagesOptions {
  /** Channels to keep: 1 (grey, default), 3 (RGB) or 4 (RGBA). */
  channels?: 1 | 3 | 4;
  labels?: ArrayLike<number>;
  classNames?: readonly string[];
  name?: string;
}

/**
 * An `ImageDataset` from images of one size given as RGBA bytes (`ImageData` from a canvas, or any object with
 * width, height and data). `names` (e.g. file names) make errors name the image at fault.
 */
export function imageDataDataset(
  images: ReadonlyArray<RgbaImage>,
  options: ImagesOptions & { names?: readonly string[] } = {},
): ImageDataset {
  const name = options.name ?? 'images';
  const channels = options.channels ?? 1;
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new Error(`${name}: channels must be 1, 3 or 4, got ${channels}.`);
  }
  if (images.length === 0) throw new Error(`${name}: no images given.`);
  const { width, height } = images[0];
  const bytes = new Uint8Array(images.length * width * height * channels);
  images.forEach((image, i) => {
    const label = options.names?.[i] ?? `image ${i}`;
    if (image.width !== width || image.height !== height) {
      throw new Error(
        `${name}: ${label} is ${image.width}x${image.height}, expected ${width}x${height} like the first image; ` +
          'resize the images to one size.',
      );
    }
    if (image.data.length !== width * height * 4) {
      throw new Error(
        `${name}: ${label} has ${image.data.length} bytes, expected ${width * height * 4} (RGBA).`,
      );
    }
    rgbaToChannels(image.data, channels, bytes, i * width * height * channels);
  });
  return new ImageDataset({
    images: bytes,
    shape: [images.length, height, width, channels],
    labels: options.labels ? byteLabels(options.labels, images.length, name) : undefined,
    classNames: options.classNames,
    name,
  });
}

/** Options of `imageFilesDataset`. */
export interface ImageFilesOptions extends ImagesOptions {
  /** Resize every image to [height, width]. */
  size?: readonly [number, number];
  /** The most bytes one file may hold; a larger one is refused before it is decoded. Default 128 MiB. */
  maxBytes?: number;
  /** The most pixels one image (as decoded, and as resized) may have. Default 16,777,216 (4096 x 4096). */
  maxPixels?: number;
}

/**
 * An `ImageDataset` from image files in the browser (PNG, JPEG, WebP, ... whatever the browser decodes), e.g. the
 * `files` of an `<input type="file" multiple>`. With `size` every image is resized to [height, width]; without it
 * they must all have the size of the first. Files over `maxBytes` and images over `maxPixels` are refused.
 */
export async function imageFilesDataset(
  files: ArrayLike<Blob>,
  options: ImageFilesOptions = {},
): Promise<ImageDataset> {
  if (typeof createImageBitmap !== 'function' || typeof OffscreenCanvas !== 'function') {
    throw new Error(
      'imageFilesDataset needs a browser (createImageBitmap and OffscreenCanvas); in Node use loadImageFolder ' +
        'from @vae/data/node.',
    );
  }
  const maxBytes = checkMaxBytes(options.maxBytes, 128 * 1024 ** 2, 'imageFilesDataset');
  const maxPixels = checkMaxBytes(options.maxPixels, 4096 * 4096, 'imageFilesDataset', 'maxPixels');
  const images: RgbaImage[] = [];
  const names: string[] = [];
  for (let i = 0; i < files.length; i++) {
    const file = files[i];
    const label = (file as File).name ?? `file ${i}`;
    if (file.size > maxBytes) {
      throw tooLargeError(
        label,
        `is ${formatBytes(file.size)},`,
        userLimit(maxBytes, 'one image file', 'maxBytes to imageFilesDataset'),
      );
    }
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch (error) {
      throw new Error(`${label} could not be decoded as an image (${(error as Error).message}).`);
    }
    const [height, width] = options.size ?? [bitmap.height, bitmap.width];
    if (bitmap.width * bitmap.height > maxPixels || width * height > maxPixels) {
      bitmap.close();
      throw new Error(
        `${label} is ${bitmap.width}x${bitmap.height} pixels${options.size ? ` (resized to ${width}x${height})` : ''}, ` +
          `more than ${maxPixels.toLocaleString('en-US')}, the most allowed for one image; if it is genuine, pass ` +
          'maxPixels to raise the limit (or make the images smaller).',
      );
    }
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('imageFilesDataset: no 2D canvas context in this browser.');
    context.drawImage(bitmap, 0, 0, width, height);
    bitmap.close();
    images.push(context.getImageData(0, 0, width, height));
    names.push(label);
  }
  return imageDataDataset(images, { ...options, names });
}
