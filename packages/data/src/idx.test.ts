import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { datasetInfo } from './catalog';
import { parseIdx } from './idx';
import { ImageDataset } from './image-dataset';

function idx(shape: number[], values: number[]): Uint8Array {
  const header = new Uint8Array(4 + 4 * shape.length);
  header[2] = 0x08;
  header[3] = shape.length;
  const view = new DataView(header.buffer);
  shape.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d, false);
  });
  const out = new Uint8Array(header.length + values.length);
  out.set(header);
  out.set(values, header.length);
  return out;
}

describe('parseIdx', () => {
  it('reads the big-endian shape and the bytes', () => {
    const parsed = parseIdx(idx([2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]));
    expect(parsed.shape).toEqual([2, 2, 3]);
    expect(Array.from(parsed.data)).toEqual([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
    expect(parseIdx(idx([300], new Array(300).fill(7))).shape).toEqual([300]);
  });

  it('explains what is wrong with bad files', () => {
    expect(() => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0]))).toThrow(/gzip/);
    expect(() => parseIdx(new Uint8Array([1, 2, 3, 4]))).toThrow(/not an IDX file/);
    const floats = idx([1], [0]);
    floats[2] = 0x0d;
    expect(() => parseIdx(floats)).toThrow(/only unsigned bytes/);
    expect(() => parseIdx(idx([2, 2], [1, 2, 3]))).toThrow(
      /declares 2x2 = 4 bytes but the file holds 3 after the header; the file is truncated or not IDX/,
    );
  });
});

describe('ImageDataset', () => {
  const images = idx([3, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4, 255, 255, 0, 0]);
  const labels = idx([3], [7, 1, 9]);

  it('batches scaled float pixels with the item shape, in the order asked', async () => {
    const data = ImageDataset.fromIdx(images, labels, { name: 'toy' });
    expect(data.size).toBe(3);
    expect(data.itemShape).toEqual([2, 2, 1]);
    expect(Array.from(data.labels!)).toEqual([7, 1, 9]);
    const batch = data.batch([2, 0]);
    expect(batch.shape).toEqual([2, 2, 2, 1]);
    const v = await batch.data();
    expect(Array.from(v)).toEqual([1, 1, 0, 0, 0, 1, 0.2, 0.4].map((x) => Math.fround(x)));
    batch.dispose();
    await expectNoLeaks(() => tf.dispose(data.batch([1])), 0);
  });

  it('takes a prefix without copying and rejects bad requests', () => {
    const data = ImageDataset.fromIdx(images, labels);
    const first = data.take(2);
    expect(first.size).toBe(2);
    expect(first.images.buffer).toBe(data.images.buffer);
    expect(Array.from(first.labels!)).toEqual([7, 1]);
    expect(() => data.take(0)).toThrow(/positive integer/);
    expect(() => data.batch([3])).toThrow(/out of range/);
    expect(() => ImageDataset.fromIdx(images, idx([2], [1, 2]))).toThrow(/one label per image/);
  });
});

describe('datasetInfo', () => {
  it('names the known data sets when asked for an unknown one', () => {
    expect(datasetInfo('mnist').files.test.images.bytes).toBe(7840016);
    expect(() => datasetInfo('mnsit')).toThrow(
      /unknown dataset 'mnsit'; choose one of: mnist, fashion-mnist/,
    );
  });
});
