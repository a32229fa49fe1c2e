/** Reading image tensors into plain {@link ImageBatch}es. */
import type * as tf from '@tensorflow/tfjs-core';
import type { ImageBatch } from './image';

export interface TensorToImageBatchOptions {
  /** Image height; required for flat `[n, height * width]` tensors, checked against the shape otherwise. */
  height?: number;
  /** Image width; required for flat `[n, height * width]` tensors, checked against the shape otherwise. */
  width?: number;
  /**
   * Channels of a flat tensor, `[n, height * width * channels]` with channels last (HWC): 1 (grey, default) or
   * 3 (RGB). Checked against the shape of 4-d tensors.
   */
  channels?: 1 | 3;
}

/**
 * Reads a batch of images from a tensor with `await tensor.data()` (no blocking read, no new tensors; the
 * caller keeps ownership of `images`). Accepts `[n, h, w]`, `[n, h, w, c]` with c = 1 or 3, and flat
 * `[n, h * w * c]` images (HWC order) when `{ height, width }` (and `channels` for RGB) are given.
 */
export async function tensorToImageBatch(
  images: tf.Tensor,
  options: TensorToImageBatchOptions = {},
): Promise<ImageBatch> {
  const where = 'tensorToImageBatch';
  if (images === null || typeof images !== 'object' || !Array.isArray(images.shape)) {
    throw new Error(`${where}: expected a tf.Tensor of images, got ${images}.`);
  }
  if (images.isDisposed)
    throw new Error(`${where}: the tensor is already disposed; read it before disposing.`);
  if (images.dtype === 'string' || images.dtype === 'complex64') {
    throw new Error(`${where}: expected a numeric tensor with values in [0, 1], got dtype ${images.dtype}.`);
  }
  const shape = images.shape;
  const shown = `[${shape.join(', ')}]`;
  let count: number;
  let height: number;
  let width: number;
  let channels: 1 | 3 = 1;
  if (shape.length === 2) {
    if (options.height === undefined || options.width === undefined) {
      throw new Error(
        `${where}: a flat tensor of shape ${shown} needs { height, width } options, ` +
          'e.g. { height: 28, width: 28 }; or reshape it to [n, height, width].',
      );
    }
    [count, height, width] = [shape[0], options.height, options.width];
    const flatChannels = options.channels ?? 1;
    if (flatChannels !== 1 && flatChannels !== 3) {
      throw new Error(`${where}: unsupported channels ${flatChannels}; use 1 (grey) or 3 (RGB).`);
    }
    channels = flatChannels;
    for (const [label, value] of [
      ['height', height],
      ['width', width],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new Error(`${where}: ${label} must be a positive integer, got ${value}.`);
      }
    }
    if (height * width * channels !== shape[1]) {
      const product =
        channels === 1
          ? `height * width = ${height} * ${width}`
          : `height * width * channels = ${height} * ${width} * ${channels}`;
      throw new Error(
        `${where}: ${product} = ${height * width * channels} does not match the ${shape[1]} values per image ` +
          `of shape ${shown}; pass the image size the data was flattened from.`,
      );
    }
  } else if (shape.length === 3 || shape.length === 4) {
    [count, height, width] = [shape[0], shape[1], shape[2]];
    const c = shape.length === 4 ? shape[3] : 1;
    if (c !== 1 && c !== 3) {
      throw new Error(
        `${where}: unsupported channels ${c} in shape ${shown}; use 1 (grey) or 3 (RGB) channels last (NHWC).`,
      );
    }
    channels = c;
    for (const [label, given, actual] of [
      ['height', options.height, height],
      ['width', options.width, width],
      ['channels', options.channels, c],
    ] as const) {
      if (given !== undefined && given !== actual) {
        throw new Error(
          `${where}: option ${label} = ${given} disagrees with shape ${shown}; drop the option.`,
        );
      }
    }
  } else {
    throw new Error(
      `${where}: expected shape [n, h, w], [n, h, w, c] or [n, h * w] (with { height, width }), got ${shown}.`,
    );
  }
  if (count === 0) throw new Error(`${where}: the tensor holds no images (shape ${shown}).`);
  if (height === 0 || width === 0) throw new Error(`${where}: the images are empty (shape ${shown}).`);
  const values = (await images.data()) as Float32Array | Int32Array | Uint8Array;
  return { values, count, height, width, channels };
}
