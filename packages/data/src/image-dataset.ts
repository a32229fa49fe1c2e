import * as tf from '@tensorflow/tfjs-core';
import type { BatchSource } from '@vae/core';
import { type IdxArray, parseIdx } from './idx';

export interface ImageDatasetOptions {
  /** Pixels as bytes, examples first, then height, width, channels (NHWC). */
  images: Uint8Array;
  /** [examples, height, width, channels]. */
  shape: readonly [number, number, number, number];
  /** One integer label per example. */
  labels?: Uint8Array;
  /** A name for messages, e.g. 'mnist/train'. */
  name?: string;
  /** Class names, indexed by label. */
  classNames?: readonly string[];
}

/**
 * Images kept as bytes in memory (60,000 MNIST images take 47 MB, not 188 MB of floats) and converted to float32
 * in [0, 1] one batch at a time. Implements the `BatchSource` contract of `@vae/core`.
 */
export class ImageDataset implements BatchSource {
  readonly images: Uint8Array;
  readonly size: number;
  readonly itemShape: readonly [number, number, number];
  readonly labels?: Uint8Array;
  readonly name: string;
  readonly classNames?: readonly string[];
  private readonly itemSize: number;

  constructor(options: ImageDatasetOptions) {
    const [n, h, w, c] = options.shape;
    const name = options.name ?? 'images';
    if (![n, h, w, c].every((d) => Number.isInteger(d) && d >= 0) || h < 1 || w < 1 || c < 1) {
      throw new Error(`${name}: shape must be [examples, height, width, channels], got [${options.shape}].`);
    }
    if (options.images.length !== n * h * w * c) {
      throw new Error(
        `${name}: ${options.images.length} pixel bytes do not fill shape [${options.shape}] (${n * h * w * c}).`,
      );
    }
    if (options.labels && options.labels.length !== n) {
      throw new Error(`${name}: ${options.labels.length} labels for ${n} images; pass one label per image.`);
    }
    if (options.labels && options.classNames) {
      const classes = options.classNames.length;
      const bad = options.labels.findIndex((label) => label >= classes);
      if (bad >= 0) {
        throw new Error(
          `${name}: image ${bad} has label ${options.labels[bad]}, but there are only ${classes} class names ` +
            `(labels 0 to ${classes - 1}); pass a class name for every label, or fix the labels.`,
        );
      }
    }
    this.images = options.images;
    this.size = n;
    this.itemShape = [h, w, c];
    this.itemSize = h * w * c;
    this.labels = options.labels;
    this.name = name;
    this.classNames = options.classNames;
  }

  /** Builds a data set from parsed (or raw) IDX images and labels. */
  static fromIdx(
    images: IdxArray | Uint8Array,
    labels?: IdxArray | Uint8Array,
    options: { name?: string; classNames?: readonly string[] } = {},
  ): ImageDataset {
    const name = options.name ?? 'images';
    const img = images instanceof Uint8Array ? parseIdx(images, `${name} images`) : images;
    const lab = labels instanceof Uint8Array ? parseIdx(labels, `${name} labels`) : labels;
    if (img.shape.length !== 3 && img.shape.length !== 4) {
      throw new Error(`${name}: image IDX must have 3 or 4 dimensions, got [${img.shape}].`);
    }
    const [n, h, w, c = 1] = img.shape;
    return new ImageDataset({ images: img.data, shape: [n, h, w, c], labels: lab?.data, name, ...options });
  }

  /** Float32 pixels in [0, 1] for the given examples, shape [batch, height, width, channels]. */
  batch(indices: ArrayLike<number>): tf.Tensor4D {
    const values = this.batchValues(indices);
    return tf.tensor4d(values, [indices.length, ...this.itemShape]);
  }

  /** The same pixels as `batch`, as a plain Float32Array (no tensor). */
  batchValues(indices: ArrayLike<number>): Float32Array {
    const size = this.itemSize;
    const out = new Float32Array(indices.length * size);
    const scale = 1 / 255;
    for (let b = 0; b < indices.length; b++) {
      const index = indices[b];
      if (!(index >= 0 && index < this.size)) {
        throw new Error(`${this.name}: index ${index} is out of range [0, ${this.size}).`);
      }
      const source = index * size;
      const target = b * size;
      for (let i = 0; i < size; i++) out[target + i] = this.images[source + i] * scale;
    }
    return out;
  }

  /** The first `count` examples (a view; no copy). */
  take(count: number): ImageDataset {
    if (!Number.isInteger(count) || count < 1) {
      throw new Error(`${this.name}: take(count) needs a positive integer, got ${count}.`);
    }
    const n = Math.min(count, this.size);
    return new ImageDataset({
      images: this.images.subarray(0, n * this.itemSize),
      shape: [n, ...this.itemShape],
      labels: this.labels?.subarray(0, n),
      name: this.name,
      classNames: this.classNames,
    });
  }
}
